-- +goose Up
-- The grade distribution at the end of each month (cityStats.grades): the
-- full grade recompute writes its month's row, so the last recompute of a
-- month is what the month keeps. entity_grade holds only the latest grades.
CREATE TABLE grade_month (
    month       text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    division    text NOT NULL,
    grade       text NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    entities    int NOT NULL,
    computed_at timestamptz NOT NULL,
    PRIMARY KEY (month, division, grade)
);

-- The latest grades per division (cityStats.grades, gradeDistribution):
-- an index-only scan instead of reading every stored grade's reasons.
CREATE INDEX entity_grade_division_grade ON entity_grade (division, grade);

-- +goose Down
DROP INDEX entity_grade_division_grade;
DROP TABLE grade_month;
