package synth

import (
	"fmt"
	"math/rand/v2"
)

// streets are plausible street names per division. The urban ones of 爱辉区
// follow the city's real naming; the others are invented in the same style
// and must not be read as a gazetteer.
var streets = map[string][]string{
	aihuiCode: {"中央街", "王肃街", "海兰街", "通江路", "邮政路", "兴安路", "花园街", "大兴街", "文化街", "东兴路", "西兴路", "环城南路", "华富街", "新兴街"},
	"231123":  {"奇克大街", "中央大街", "兴边路", "建设路", "江南路", "民主街"},
	"231124":  {"中央大街", "胜利街", "北大街", "西兴路", "建设路", "和平街"},
	"231181":  {"兆麟大街", "和平路", "铁西路", "庆华路", "北岗街", "建设路", "长青路", "通北路"},
	"231182":  {"青山路", "德都大街", "药泉路", "龙门路", "翻身路", "胜利街"},
	"231183":  {"人民大街", "站前路", "嫩江大街", "文化街", "繁荣路", "建设路", "中央街"},
}

// Address returns a street address such as 黑龙江省黑河市爱辉区王肃街123号 in
// division6. The city-level code, the pilot zone and unknown codes get an
// address in 爱辉区, the urban district.
func Address(r *rand.Rand, division6 string) string {
	county := countyName(division6, "爱辉区")
	list, ok := streets[division6]
	if !ok {
		list = streets[aihuiCode]
	}
	addr := "黑龙江省黑河市" + county + Pick(r, list) + fmt.Sprintf("%d号", 1+r.IntN(300))
	switch n := r.IntN(100); {
	case n < 15:
		addr += "门市"
	case n < 30:
		addr += fmt.Sprintf("%d号楼%d单元%d0%d室", 1+r.IntN(12), 1+r.IntN(6), 1+r.IntN(7), 1+r.IntN(4))
	}
	return addr
}
