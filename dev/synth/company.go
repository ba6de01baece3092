package synth

import (
	"math/rand/v2"

	"credithub/internal/ident"
)

// Company is a generated market-entity name with its line of business.
type Company struct {
	Name         string // full registered name
	Industry     string // the industry wording used in the name, e.g. 建筑工程, 小吃店
	IndustryCode string // GB/T 4754-2017 section letter, e.g. "E" for construction
	Scope        string // a business-scope (经营范围) entry matching the industry
}

type industry struct {
	name, code, scope string
}

var enterpriseIndustries = NewWeighted([]Choice[industry]{
	{industry{"商贸", "F", "日用百货销售；五金产品零售；建筑材料销售"}, 18},
	{industry{"经贸", "F", "货物进出口；技术进出口；国内贸易代理"}, 8},
	{industry{"粮贸", "F", "粮食收购；谷物销售；豆及薯类销售"}, 5},
	{industry{"农资", "F", "化肥销售；农药零售（不含危险化学品）；农用薄膜销售"}, 4},
	{industry{"建材", "F", "建筑材料销售；轻质建筑材料销售"}, 4},
	{industry{"汽车销售", "F", "汽车新车销售；二手车经纪；汽车零配件零售"}, 3},
	{industry{"医药", "F", "药品零售；医疗器械销售"}, 3},
	{industry{"建筑工程", "E", "房屋建筑和市政基础设施项目工程总承包；建设工程施工"}, 8},
	{industry{"路桥工程", "E", "公路工程施工；市政设施管理"}, 3},
	{industry{"装饰工程", "E", "住宅室内装饰装修；建筑装饰工程施工"}, 4},
	{industry{"粮食加工", "C", "粮食加工食品生产；粮食收购"}, 5},
	{industry{"大豆制品", "C", "豆制品制造；食用农产品初加工"}, 2},
	{industry{"食品", "C", "食品生产；食品销售"}, 3},
	{industry{"木业", "C", "木材加工；木制品制造"}, 2},
	{industry{"乳业", "C", "乳制品生产；饮料生产"}, 1},
	{industry{"餐饮管理", "H", "餐饮服务；餐饮管理"}, 5},
	{industry{"酒店管理", "H", "住宿服务；酒店管理"}, 3},
	{industry{"物流", "G", "道路货物运输（不含危险货物）；国际货物运输代理"}, 5},
	{industry{"运输", "G", "道路货物运输（不含危险货物）；道路旅客运输经营"}, 3},
	{industry{"农业科技", "A", "谷物种植；豆类种植；农业专业及辅助性活动"}, 4},
	{industry{"牧业", "A", "牲畜饲养；家禽饲养"}, 2},
	{industry{"矿业", "B", "金属矿石销售；矿产资源勘查"}, 1},
	{industry{"网络科技", "I", "软件开发；互联网信息服务"}, 3},
	{industry{"科技", "M", "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广"}, 2},
	{industry{"房地产开发", "K", "房地产开发经营"}, 2},
	{industry{"物业管理", "K", "物业管理；停车场服务"}, 2},
	{industry{"旅行社", "L", "旅行社服务网点旅游招徕、咨询服务；入境旅游业务"}, 2},
	{industry{"广告传媒", "L", "广告设计、代理；广告制作；广告发布"}, 2},
	{industry{"劳务", "L", "劳务服务（不含劳务派遣）"}, 2},
	{industry{"热力", "D", "热力生产和供应；供暖服务"}, 1},
	{industry{"环保科技", "N", "固体废物治理；环境保护专用设备销售"}, 1},
	{industry{"家政服务", "O", "家政服务；养老服务"}, 1},
})

var shopIndustries = NewWeighted([]Choice[industry]{
	{industry{"小吃店", "H", "小餐饮"}, 10},
	{industry{"饭店", "H", "餐饮服务"}, 8},
	{industry{"烧烤店", "H", "小餐饮"}, 5},
	{industry{"饺子馆", "H", "餐饮服务"}, 4},
	{industry{"旅店", "H", "住宿服务"}, 3},
	{industry{"五金店", "F", "五金产品零售"}, 6},
	{industry{"超市", "F", "食品销售；日用百货销售"}, 10},
	{industry{"便利店", "F", "食品销售；日用百货销售；烟草制品零售"}, 6},
	{industry{"水果店", "F", "新鲜水果零售"}, 4},
	{industry{"服装店", "F", "服装服饰零售"}, 5},
	{industry{"手机店", "F", "通讯设备销售；电子产品销售"}, 3},
	{industry{"粮油店", "F", "食用农产品零售；粮油零售"}, 3},
	{industry{"农资商店", "F", "化肥销售；农作物种子经营"}, 3},
	{industry{"建材商店", "F", "建筑材料销售"}, 3},
	{industry{"汽车修理部", "O", "机动车修理和维护"}, 4},
	{industry{"理发店", "O", "理发服务"}, 4},
	{industry{"干洗店", "O", "洗烫服务"}, 2},
	{industry{"家电维修部", "O", "日用电器修理"}, 2},
	{industry{"打字复印社", "L", "打字复印；办公服务"}, 1},
	{industry{"豆腐坊", "C", "豆制品制造"}, 2},
	{industry{"养殖场", "A", "牲畜饲养"}, 2},
	{industry{"货运部", "G", "道路货物运输（不含危险货物）"}, 2},
})

var coopIndustries = NewWeighted([]Choice[industry]{
	{industry{"种植", "A", "组织收购、销售成员种植的农产品；农业机械服务"}, 10},
	{industry{"大豆种植", "A", "豆类种植；组织收购、销售成员种植的大豆"}, 8},
	{industry{"玉米种植", "A", "谷物种植；组织收购、销售成员种植的玉米"}, 4},
	{industry{"马铃薯种植", "A", "薯类种植；农产品的生产、销售、加工、运输、贮藏"}, 2},
	{industry{"养殖", "A", "牲畜饲养；组织收购、销售成员养殖的牲畜"}, 5},
	{industry{"农机", "A", "农业机械服务；农作物收割服务"}, 5},
	{industry{"食用菌种植", "A", "食用菌种植；食用农产品初加工"}, 2},
	{industry{"中药材种植", "A", "中草药种植；地产中草药（不含中药饮片）购销"}, 2},
	{industry{"蜂业", "A", "蜜蜂饲养；食用农产品零售"}, 1},
})

// tradeNames are auspicious two-character 字号 of the kind registered by
// small firms everywhere; well-known national brands are left out.
var tradeNames = []string{
	"鑫源", "宏达", "恒泰", "华盛", "金诚", "北方", "龙江", "兴隆", "福瑞", "嘉禾",
	"瑞丰", "鼎盛", "万通", "顺达", "宏图", "永盛", "天成", "盛源", "祥瑞", "金鼎",
	"昌盛", "佳兴", "华安", "鑫诚", "北国", "边城", "江畔", "鑫海", "恒通", "润达",
	"泽源", "远航", "腾达", "凯瑞", "利民", "丰源", "通达", "宏远", "金泰", "博远",
	"众诚", "瑞祥", "德润", "兴邦", "亿通", "龙腾", "金源", "旭日", "广源", "鸿运",
}

var coopTradeNames = []string{
	"丰收", "金穗", "绿源", "兴农", "富民", "众鑫", "宏丰", "聚丰", "益农", "沃土",
	"金土地", "禾丰", "润农", "绿野", "丰泽", "兴旺", "永丰", "黑土地", "北疆", "龙兴",
}

var companyForms = NewWeighted([]Choice[string]{
	{"有限公司", 80}, {"有限责任公司", 17}, {"股份有限公司", 3},
})

type orgKind struct {
	industry
	named bool // takes a trade name (培训学校) rather than a sector (协会)
}

var otherOrgs = NewWeighted([]Choice[orgKind]{
	{orgKind{industry{"协会", "S", "行业自律；会员服务"}, false}, 4},
	{orgKind{industry{"商会", "S", "会员服务；商务交流"}, false}, 2},
	{orgKind{industry{"职业培训学校", "P", "职业技能培训"}, true}, 3},
	{orgKind{industry{"养老院", "Q", "养老服务"}, true}, 2},
})

var associationSectors = []string{"餐饮行业", "物流行业", "个体劳动者", "旅游", "建筑业", "粮食行业", "食品工业", "对俄经贸"}

var chambers = []string{"浙江", "温州", "福建", "山东", "河北", "江苏"}

// CompanyName returns a plausible name for a market entity of the given
// category registered in division6, with its industry. Enterprises look like
// 黑河市鑫源商贸有限公司, individual businesses like 爱辉区张记小吃店 and
// farmers' co-operatives like 逊克县丰收种植农民专业合作社; CategoryOther
// (and any unknown category) yields associations, chambers of commerce,
// training schools and care homes. Unknown divisions are named after the city.
func CompanyName(r *rand.Rand, division6 string, category ident.EntityCategory) Company {
	switch category {
	case ident.CategoryEnterprise:
		ind := enterpriseIndustries.Pick(r)
		name := enterprisePrefix(r, division6) + Pick(r, tradeNames) + ind.name + companyForms.Pick(r)
		return Company{Name: name, Industry: ind.name, IndustryCode: ind.code, Scope: ind.scope}
	case ident.CategoryIndividualBusiness:
		ind := shopIndustries.Pick(r)
		name := countyName(division6, fallbackCounty(division6)) + shopTradeName(r) + ind.name
		return Company{Name: name, Industry: ind.name, IndustryCode: ind.code, Scope: ind.scope}
	case ident.CategoryFarmersCooperative:
		ind := coopIndustries.Pick(r)
		name := countyName(division6, "爱辉区") + Pick(r, coopTradeNames) + ind.name + "农民专业合作社"
		return Company{Name: name, Industry: ind.name, IndustryCode: ind.code, Scope: ind.scope}
	}
	k := otherOrgs.Pick(r)
	prefix := countyName(division6, "黑河市")
	var name string
	switch {
	case k.named:
		name = prefix + Pick(r, tradeNames) + k.name
	case k.name == "商会":
		name = prefix + Pick(r, chambers) + k.name
	default:
		name = prefix + Pick(r, associationSectors) + k.name
	}
	return Company{Name: name, Industry: k.name, IndustryCode: k.code, Scope: k.scope}
}

// fallbackCounty names shops of the city-level code 黑河市, and those of the
// pilot zone after 爱辉区, where it lies.
func fallbackCounty(division6 string) string {
	if codeDivision(division6) == aihuiCode {
		return "爱辉区"
	}
	return "黑河市"
}

// shopTradeName is the 字号 of an individual business: 张记, 老李, a lucky
// word, or the owner's given name.
func shopTradeName(r *rand.Rand) string {
	switch n := r.IntN(100); {
	case n < 30:
		return firstRune(surnames.Pick(r)) + "记"
	case n < 50:
		return "老" + firstRune(surnames.Pick(r))
	case n < 85:
		return Pick(r, tradeNames)
	default:
		return string([]rune{Pick(r, givenChars), Pick(r, givenChars)})
	}
}

// firstRune shortens a compound surname for 张记-style names, which use a
// single character even for 欧阳.
func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return s
}
