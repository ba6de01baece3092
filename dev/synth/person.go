package synth

import (
	"math/rand/v2"
	"strings"
	"time"

	"credithub/internal/ident"
)

// surnames are the common Han surnames with weights roughly proportional to
// their share of the population (per ten thousand), with a few names
// frequent in the north-east (于, 姜, 关, 曲, 付) included. Compound surnames
// are kept rare, as they are.
var surnames = NewWeighted([]Choice[string]{
	{"王", 710}, {"李", 700}, {"张", 680}, {"刘", 540}, {"陈", 450},
	{"杨", 310}, {"赵", 230}, {"黄", 220}, {"吴", 200}, {"周", 190},
	{"徐", 150}, {"孙", 140}, {"胡", 120}, {"朱", 120}, {"高", 110},
	{"林", 110}, {"何", 110}, {"郭", 110}, {"马", 110}, {"罗", 90},
	{"梁", 80}, {"宋", 70}, {"郑", 70}, {"谢", 60}, {"韩", 60},
	{"唐", 60}, {"冯", 60}, {"于", 60}, {"董", 50}, {"肖", 50},
	{"程", 50}, {"曹", 50}, {"袁", 50}, {"邓", 50}, {"许", 50},
	{"傅", 40}, {"沈", 40}, {"曾", 40}, {"彭", 40}, {"吕", 40},
	{"苏", 40}, {"卢", 40}, {"蒋", 40}, {"蔡", 40}, {"贾", 30},
	{"丁", 30}, {"魏", 30}, {"薛", 30}, {"叶", 30}, {"闫", 30},
	{"余", 30}, {"潘", 30}, {"杜", 30}, {"戴", 30}, {"夏", 30},
	{"钟", 30}, {"汪", 30}, {"田", 30}, {"任", 30}, {"姜", 30},
	{"范", 30}, {"方", 30}, {"石", 30}, {"姚", 30}, {"谭", 30},
	{"廖", 20}, {"邹", 20}, {"熊", 20}, {"金", 20}, {"陆", 20},
	{"郝", 20}, {"孔", 20}, {"白", 20}, {"崔", 20}, {"康", 20},
	{"毛", 20}, {"邱", 20}, {"秦", 20}, {"江", 20}, {"史", 20},
	{"顾", 20}, {"侯", 20}, {"邵", 20}, {"孟", 20}, {"龙", 20},
	{"万", 20}, {"段", 20}, {"雷", 20}, {"钱", 20}, {"汤", 20},
	{"尹", 20}, {"黎", 20}, {"易", 20}, {"常", 20}, {"武", 20},
	{"乔", 20}, {"贺", 20}, {"赖", 20}, {"龚", 20}, {"文", 20},
	{"付", 20}, {"关", 15}, {"曲", 10}, {"鲍", 8}, {"庞", 8},
	{"欧阳", 4}, {"司马", 2}, {"上官", 2}, {"诸葛", 1}, {"慕容", 1},
})

// givenChars are common characters of given names, both male- and
// female-typed, so that names need no sex to be plausible.
var givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞斌波宇浩凯健俊帆帅旭宁龙林欣佳琳雪梅莉婷慧颖晶晨阳海峰东亮鑫博成国庆福志德新春生昌荣忠兴祥发山江河永长彬瑞凤琴云莲真环爽倩璐瑶怡雯悦露婉然思子梓轩涵睿泽铭宸一诺依琪晓宏天立仁义礼智信达安康泰清丹岩松柏树森金玲燕蕾蓉菲雅晴冬秋夏伦群振学武元宝家和民利双喜贵胜权延继承彦越航硕豪琦嘉卓毅恒哲翔鹤鸣敬淑贤惠娇媛月妍馨广友良富喆婧桐蕊薇茹琼佩珊钰璇")

// PersonName returns a plausible Han name of 2–4 characters: a weighted
// common surname and a given name of one (a quarter of names) or two
// characters.
func PersonName(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString(surnames.Pick(r))
	b.WriteString(givenName(r))
	return b.String()
}

func givenName(r *rand.Rand) string {
	if chance(r, 25) {
		return string(Pick(r, givenChars))
	}
	return string([]rune{Pick(r, givenChars), Pick(r, givenChars)})
}

// mobilePrefixes are allocated mainland mobile number blocks of the three
// operators and the 170/171 virtual-operator blocks (154 was never issued).
var mobilePrefixes = []string{
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"145", "147",
	"150", "151", "152", "153", "155", "156", "157", "158", "159",
	"166",
	"170", "171", "173", "175", "176", "177", "178",
	"180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
	"191", "198", "199",
}

// Mobile returns an 11-digit mainland mobile number with a real prefix.
func Mobile(r *rand.Rand) string {
	return Pick(r, mobilePrefixes) + digits(r, 8)
}

// ResidentID returns a valid resident ID number of someone registered in
// division6 and aged 20–70 on refDate, with their birth date (midnight UTC)
// and sex. division6 should be a real GB/T 2260 code; the free-trade-zone
// pseudo-division is replaced by 爱辉区, where the zone lies. If division6 is
// not six digits with a province prefix, or refDate is so early that the
// birth would precede 1900, it returns "", the zero time and false.
func ResidentID(r *rand.Rand, division6 string, refDate time.Time) (id string, birth time.Time, male bool) {
	ref := civilDay(refDate)
	// Age 70 lasts until the day before the 71st birthday.
	birth = Date(r, ref.AddDate(-71, 0, 1), ref.AddDate(-20, 0, 0))
	seq := r.IntN(1000)
	id = ident.MakeResidentID(codeDivision(division6), birth, seq)
	if id == "" {
		return "", time.Time{}, false
	}
	return id, birth, seq%2 == 1
}
