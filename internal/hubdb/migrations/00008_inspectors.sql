-- +goose Up
-- The inspectors of each department's double-random roster (T13,
-- 双随机抽查执法检查人员名录库): a dozen per department, each with the
-- number of the administrative law-enforcement certificate they inspect
-- under. Departments keep their rosters current (active = false for those
-- who left); this seeds the rosters where a department has none, so that
-- inspection plans can draw inspectors in every set-up.
INSERT INTO inspector (department, name, badge_no)
SELECT v.department, v.name, v.badge_no FROM (VALUES
 ('market', '刘建国', '231100SJ0101'),
 ('market', '徐志强', '231100SJ0102'),
 ('market', '高海燕', '231100SJ0103'),
 ('market', '唐丽娟', '231100SJ0104'),
 ('market', '曾文博', '231100SJ0105'),
 ('market', '蒋晓明', '231100SJ0106'),
 ('market', '魏振华', '231100SJ0107'),
 ('market', '姜雪梅', '231100SJ0108'),
 ('market', '金国庆', '231100SJ0109'),
 ('market', '方春雷', '231100SJ0110'),
 ('market', '江秀英', '231100SJ0111'),
 ('market', '龙立新', '231100SJ0112'),
 ('environment', '郝宏伟', '231100HB0101'),
 ('environment', '武晓东', '231100HB0102'),
 ('environment', '李玉兰', '231100HB0103'),
 ('environment', '周德胜', '231100HB0104'),
 ('environment', '郭俊杰', '231100HB0105'),
 ('environment', '谢红梅', '231100HB0106'),
 ('environment', '曹永刚', '231100HB0107'),
 ('environment', '潘淑芬', '231100HB0108'),
 ('environment', '程子涵', '231100HB0109'),
 ('environment', '姚思远', '231100HB0110'),
 ('environment', '汪佳怡', '231100HB0111'),
 ('environment', '韦明辉', '231100HB0112'),
 ('fire', '秦桂芳', '231100XF0101'),
 ('fire', '雷长林', '231100XF0102'),
 ('fire', '顾宇航', '231100XF0103'),
 ('fire', '严雅琴', '231100XF0104'),
 ('fire', '汤伟东', '231100XF0105'),
 ('fire', '赵亚楠', '231100XF0106'),
 ('fire', '朱成龙', '231100XF0107'),
 ('fire', '郑慧敏', '231100XF0108'),
 ('fire', '冯铁军', '231100XF0109'),
 ('fire', '董静怡', '231100XF0110'),
 ('fire', '杜凤霞', '231100XF0111'),
 ('fire', '任鹏飞', '231100XF0112'),
 ('housing', '谭学军', '231100ZJ0101'),
 ('housing', '贾婷婷', '231100ZJ0102'),
 ('housing', '孟庆华', '231100ZJ0103'),
 ('housing', '闫树林', '231100ZJ0104'),
 ('housing', '黎晨阳', '231100ZJ0105'),
 ('housing', '万玉洁', '231100ZJ0106'),
 ('housing', '孔兴旺', '231100ZJ0107'),
 ('housing', '陈春燕', '231100ZJ0108'),
 ('housing', '孙光明', '231100ZJ0109'),
 ('housing', '林艳华', '231100ZJ0110'),
 ('housing', '许冬梅', '231100ZJ0111'),
 ('housing', '肖一鸣', '231100ZJ0112'),
 ('court', '蔡若曦', '231100FY0101'),
 ('court', '吕振宇', '231100FY0102'),
 ('court', '崔金凤', '231100FY0103'),
 ('court', '石广才', '231100FY0104'),
 ('court', '白新宇', '231100FY0105'),
 ('court', '尹丽华', '231100FY0106'),
 ('court', '史洪涛', '231100FY0107'),
 ('court', '龚美玲', '231100FY0108'),
 ('court', '戴继红', '231100FY0109'),
 ('court', '张浩然', '231100FY0110'),
 ('court', '吴秋菊', '231100FY0111'),
 ('court', '何天翼', '231100FY0112')
) AS v(department, name, badge_no)
WHERE NOT EXISTS (SELECT 1 FROM inspector i WHERE i.department = v.department);

-- +goose Down
DELETE FROM inspector WHERE badge_no ~ '^231100(SJ|HB|XF|ZJ|FY)01[0-9]{2}$';
