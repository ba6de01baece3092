// Package workday counts working days (工作日) on the official calendar of
// mainland China, for disclosure, objection and repair deadlines that are set
// in working days (e.g. licensing and penalty decisions published within 7
// working days of the decision).
//
// # Data
//
// Working days are not simply Monday to Friday. Each year the General Office
// of the State Council publishes a notice (国务院办公厅关于XXXX年部分节假日安排的通知)
// that fixes the public-holiday periods (放假调休) and the Saturdays and
// Sundays that become working days to make up for them (调休上班). The
// package embeds these schedules as data, in calendar.tsv, one TAB-separated
// row per date that differs from a plain week:
//
//	date        type     name  source
//	2024-02-04  workday  春节  国务院办公厅关于2024年部分节假日安排的通知 国办发明电〔2023〕7号
//	2024-02-10  holiday  春节  国务院办公厅关于2024年部分节假日安排的通知 国办发明电〔2023〕7号
//
// Every day of a holiday period is listed as a holiday row, from its first
// to its last day inclusive, including the weekend days inside it; make-up
// working days are listed as workday rows (always a Saturday or Sunday).
// Dates without a row follow the Monday–Friday rule. Only the national
// schedule is recorded, not provincial or local deviations.
//
// The embedded file covers 2020 to 2026, from these notices:
//
//	2020  国办发明电〔2019〕16号, and 国办发明电〔2020〕1号 (国务院办公厅关于延长
//	      2020年春节假期的通知), which extended the Spring Festival holiday to
//	      2 February 2020 and so also cancelled the make-up working day of
//	      Saturday 1 February
//	2021  国办发明电〔2020〕27号
//	2022  国办发明电〔2021〕11号
//	2023  国办发明电〔2022〕16号 (its New Year holiday starts on 2022-12-31)
//	2024  国办发明电〔2023〕7号 (除夕, 9 February, remained a working day)
//	2025  国办发明电〔2024〕12号, the first under the revised 全国年节及纪念日放假办法
//	      (国务院令第795号): 除夕 and 2 May became holidays
//	2026  国办发明电〔2025〕7号
//
// Each row names its notice in the source column; Calendar.Source gives the
// notices of a year. The dates were checked against published copies of the
// notices (Xinhua/gov.cn reprints). A row whose notice could not be checked
// carries "(unverified)" in its source; the embedded file has none.
//
// To add a year, append the rows of its notice to calendar.tsv and extend
// the tests (TestDefaultYears and TestDataIntegrity). A calendar supplied by
// configuration can be read with Parse; it uses the same format.
//
// # Conventions
//
// Time zone: a time.Time is reduced to its civil date in China Standard Time,
// the fixed zone UTC+8 returned by Location (the tz database is not needed).
// So 2024-02-08T20:00:00Z is 9 February 2024. Dates returned by the package
// are 00:00 CST; Date builds such values.
//
// Day 1: the day of the event itself never counts. The deadline for an act
// due "within n working days" of an event on day D is AddWorkingDays(D, n),
// the n-th working day after D, and the act is on time if it happens on or
// before that date. For a decision on Friday 9 February 2024, the last
// working day before the 2024 Spring Festival, the 7-working-day deadline is
// Monday 26 February 2024 (the make-up working day of Sunday 18 February is
// day 1). AddWorkingDays(D, 0) is D if D is a working day, else the next
// working day. WorkingDaysBetween(D, P) counts working days in (D, P], so
// it equals n exactly when P is AddWorkingDays(D, n), and a disclosure on P
// is late by WorkingDaysBetween(D, P) - n days when that is positive.
//
// Outside the covered years there is no official schedule: the package falls
// back to Monday–Friday without holidays, which will be wrong for, e.g., 1
// January or the Spring Festival. Calendar.Covers tells whether a date's year
// is covered and Calendar.Years lists the covered years; callers computing
// legal deadlines should check Covers and flag results computed without the
// official schedule.
//
// A Calendar is immutable and safe for concurrent use.
package workday
