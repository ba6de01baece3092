package ident

import "testing"

func TestMasks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{"ID", MaskResidentID, "230102198001011234", "230102********1234"},
		{"ID with X", MaskResidentID, "11010519491231002X", "110105********002X"},
		{"ID first generation is fully masked", MaskResidentID, "230102800101123", "***************"},
		{"ID short", MaskResidentID, "230", "***"},
		{"ID empty", MaskResidentID, "", ""},
		{"ID long keeps only 6+4", MaskResidentID, "230102198001011234567", "230102***********4567"},
		{"ID invalid UTF-8", MaskResidentID, "\xff\xfe", "**"},
		{"ID full-width", MaskResidentID, "２３０１０２１９８００１０１１２３４", "２３０１０２********１２３４"},

		{"court", MaskResidentIDCourt, "23010219800101121X", "2***************1X"},
		{"court short", MaskResidentIDCourt, "2301021980", "**********"},
		{"court empty", MaskResidentIDCourt, "", ""},

		{"mobile", MaskMobile, "13812345678", "138****5678"},
		{"mobile short", MaskMobile, "1381234567", "**********"},
		{"mobile with country code", MaskMobile, "+8613812345678", "+86*******5678"},
		{"mobile empty", MaskMobile, "", ""},

		{"name 2", MaskName, "张三", "张*"},
		{"name 3", MaskName, "张三丰", "张**"},
		{"compound surname", MaskName, "欧阳娜娜", "欧***"},
		{"compound surname 3", MaskName, "欧阳修", "欧**"},
		{"single character", MaskName, "张", "*"},
		{"empty name", MaskName, "", ""},
		{"minority name", MaskName, "阿依古丽·买买提", "阿*******"},
		{"latin", MaskName, "Li Lei", "L*****"},
		{"invalid UTF-8 first", MaskName, "\xff三", "\uFFFD*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.fn(tt.in); got != tt.want {
				t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
