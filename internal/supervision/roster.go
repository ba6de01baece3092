package supervision

// Roster upkeep (T13, 执法检查人员名录库): a department adds, corrects and
// retires the inspectors its plans draw from; the credit office (an admin
// token) keeps any department's roster. A retired inspector keeps their
// row, so past plans still name them, and is never drawn again.

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"credithub/auth"
	"credithub/datasources"
	"credithub/internal/apperr"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
)

// TypeInspector is the global ID type of a roster inspector.
const TypeInspector = "Inspector"

// InspectorID returns the global ID of inspector id.
func InspectorID(id int64) string { return gid.Encode(TypeInspector, strconv.FormatInt(id, 10)) }

// ParseInspectorID returns the row id an inspector's global ID stands for.
func ParseInspectorID(id string) (int64, bool) {
	typ, payload, err := gid.Decode(id)
	if err != nil || typ != TypeInspector {
		return 0, false
	}
	n, err := strconv.ParseInt(payload, 10, 64)
	return n, err == nil && n > 0
}

// RosterInspector is a member of a department's roster as its keepers see
// it.
type RosterInspector struct {
	ID           int64      `json:"id"`
	Department   string     `json:"department"`
	Name         string     `json:"name"`
	BadgeNo      string     `json:"badgeNo"`
	Active       bool       `json:"active"`
	RetiredAt    *time.Time `json:"retiredAt"`
	RetireReason *string    `json:"retireReason"`
}

func rosterOf(r hubdb.InspectorRow) *RosterInspector {
	out := &RosterInspector{ID: r.ID, Department: r.Department, Name: r.Name, BadgeNo: r.BadgeNo, Active: r.Active}
	if r.RetiredAt.Valid {
		t := r.RetiredAt.Time
		out.RetiredAt = &t
	}
	if r.RetireReason.Valid {
		s := r.RetireReason.String
		out.RetireReason = &s
	}
	return out
}

// InspectorSpec is an inspector as a roster's keeper gives it.
type InspectorSpec struct {
	Name    string
	BadgeNo string
	// Department is the roster added to: "" for the caller's own; only the
	// credit office names another.
	Department string
}

func (spec *InspectorSpec) validate() error {
	spec.Name = strings.TrimSpace(spec.Name)
	if n := utf8.RuneCountInString(spec.Name); n == 0 || n > 50 {
		return apperr.BadInput("input.name", "name must be 1 to 50 characters")
	}
	spec.BadgeNo = strings.ToUpper(strings.TrimSpace(spec.BadgeNo))
	if n := len(spec.BadgeNo); n < 4 || n > 32 || strings.ContainsFunc(spec.BadgeNo, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == '-')
	}) {
		return apperr.BadInput("input.badgeNo", "badgeNo (the law-enforcement certificate number) must be 4 to 32 letters, digits or hyphens")
	}
	return nil
}

// rosterKeeper checks that the caller keeps department's roster: the
// department itself, or the credit office (an admin token).
func rosterKeeper(p *auth.Principal, department string) error {
	if p.Kind() == auth.KindAdmin || (p.Kind() == auth.KindDepartment && p.Org() == department) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "only department %s or the credit office keeps the roster of %s", clipCode(department), clipCode(department)).
		With("owner", department)
}

// AddInspector adds an inspector to a roster, in one transaction under the
// idempotency key.
func (s *Service) AddInspector(ctx context.Context, spec InspectorSpec, key hubdb.Key) (*RosterInspector, error) {
	p := auth.FromContext(ctx)
	dept := spec.Department
	switch {
	case p.Kind() == auth.KindDepartment && dept == "":
		dept = p.Org()
	case p.Kind() == auth.KindAdmin && dept == "":
		return nil, apperr.BadInput("input.department", "the credit office names the department whose roster the inspector joins")
	}
	if err := rosterKeeper(p, dept); err != nil {
		return nil, err
	}
	if _, ok := datasources.DepartmentByCode(dept); !ok && p.Kind() == auth.KindAdmin {
		return nil, apperr.BadInput("input.department", "unknown department %q", clipCode(dept))
	}
	if err := spec.validate(); err != nil {
		return nil, err
	}
	return hubdb.Idempotent(ctx, s.DB, p.Key(), key, "addInspector", func(tx *hubdb.DB) (*RosterInspector, error) {
		id, err := tx.Inspectors().Add(ctx, dept, spec.Name, spec.BadgeNo, "input.badgeNo")
		if err != nil {
			return nil, err
		}
		return &RosterInspector{ID: id, Department: dept, Name: spec.Name, BadgeNo: spec.BadgeNo, Active: true}, nil
	})
}

// keeping reads an inspector for a change, in tx, after checking the
// caller keeps its roster.
func keeping(ctx context.Context, tx *hubdb.DB, p *auth.Principal, id int64) (*hubdb.InspectorRow, error) {
	row, err := tx.Inspectors().ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return nil, apperr.New(apperr.NotFound, "no inspector with this id").With("field", "id")
	}
	if err := rosterKeeper(p, row.Department); err != nil {
		return nil, err
	}
	return row, nil
}

// UpdateInspector corrects an inspector's name or certificate number
// (empty: unchanged), in one transaction under the idempotency key. Past
// plans name the inspector as corrected.
func (s *Service) UpdateInspector(ctx context.Context, id int64, name, badgeNo string, key hubdb.Key) (*RosterInspector, error) {
	p := auth.FromContext(ctx)
	if p.Kind() != auth.KindDepartment && p.Kind() != auth.KindAdmin {
		return nil, apperr.New(apperr.Forbidden, "rosters are kept by their department or the credit office; this token is of kind %s", p.Kind())
	}
	return hubdb.Idempotent(ctx, s.DB, p.Key(), key, "updateInspector", func(tx *hubdb.DB) (*RosterInspector, error) {
		row, err := keeping(ctx, tx, p, id)
		if err != nil {
			return nil, err
		}
		spec := InspectorSpec{Name: row.Name, BadgeNo: row.BadgeNo}
		if name != "" {
			spec.Name = name
		}
		if badgeNo != "" {
			spec.BadgeNo = badgeNo
		}
		if err := spec.validate(); err != nil {
			return nil, err
		}
		if err := tx.Inspectors().Update(ctx, id, spec.Name, spec.BadgeNo, "input.badgeNo"); err != nil {
			return nil, err
		}
		row.Name, row.BadgeNo = spec.Name, spec.BadgeNo
		return rosterOf(*row), nil
	})
}

// RetireInspector takes an inspector off the active roster, with a reason,
// in one transaction under the idempotency key: new plans no longer draw
// them; past plans still name them.
func (s *Service) RetireInspector(ctx context.Context, id int64, reason string, key hubdb.Key) (*RosterInspector, error) {
	p := auth.FromContext(ctx)
	if p.Kind() != auth.KindDepartment && p.Kind() != auth.KindAdmin {
		return nil, apperr.New(apperr.Forbidden, "rosters are kept by their department or the credit office; this token is of kind %s", p.Kind())
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > 500 {
		return nil, apperr.BadInput("reason", "reason must be 1 to 500 characters: why the inspector leaves the roster")
	}
	return hubdb.Idempotent(ctx, s.DB, p.Key(), key, "retireInspector", func(tx *hubdb.DB) (*RosterInspector, error) {
		row, err := keeping(ctx, tx, p, id)
		if err != nil {
			return nil, err
		}
		if !row.Active {
			return nil, apperr.BadInput("id", "inspector %s has already left the roster", row.BadgeNo)
		}
		now := s.now()
		if err := tx.Inspectors().Retire(ctx, id, now, reason); err != nil {
			return nil, err
		}
		row.Active, row.RetiredAt.Time, row.RetiredAt.Valid = false, now, true
		row.RetireReason.String, row.RetireReason.Valid = reason, true
		return rosterOf(*row), nil
	})
}

// Roster returns the roster of one department ("" for every department),
// retired inspectors too when retired is set.
func (s *Service) Roster(ctx context.Context, department string, retired bool) ([]*RosterInspector, error) {
	rows, err := s.DB.Inspectors().List(ctx, department, retired)
	if err != nil {
		return nil, err
	}
	out := make([]*RosterInspector, len(rows))
	for i, r := range rows {
		out[i] = rosterOf(r)
	}
	return out, nil
}
