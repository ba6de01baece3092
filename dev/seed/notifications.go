package seed

import (
	"context"
	"slices"
	"time"

	"credithub/auth"
	"credithub/internal/hubdb"
)

// publicEmployees records the legal representatives of the world's organs
// and public institutions as public employees of them (T23): the hub's
// roster of public employees' units.
func (s *seeder) publicEmployees(ctx context.Context, hub *hubdb.DB) error {
	return hub.Transact(ctx, func(tx *hubdb.DB) error {
		for _, e := range s.employees {
			if err := tx.Notifications().AddEmployee(ctx, e.idNo, e.name, e.uscc, e.unit); err != nil {
				return err
			}
		}
		return nil
	})
}

// acknowledgeNotifications has the recipients of the notifications of
// every other cause the seeded listings notified acknowledge them through the state machine, a
// working day after it was written (when that day is past); the rest stay
// unacknowledged, the older of them overdue.
func (s *seeder) acknowledgeNotifications(ctx context.Context, hub *hubdb.DB) error {
	rows, err := hub.Notifications().All(ctx)
	if err != nil {
		return err
	}
	return hub.Transact(ctx, func(tx *hubdb.DB) error {
		var now time.Time
		wf := s.flows.Batch(tx, func() time.Time { return now })
		// Every other cause, all its recipients.
		var causes []string
		for _, r := range rows {
			if !slices.Contains(causes, r.CauseID) {
				causes = append(causes, r.CauseID)
			}
		}
		for _, r := range rows {
			at := s.clock.cal.AddWorkingDays(r.CreatedAt, 1).Add(10 * time.Hour)
			if slices.Index(causes, r.CauseID)%2 == 1 || !at.Before(s.w.RefDate) {
				continue
			}
			now = at
			by := auth.NewPrincipal("clerk", r.Recipient, auth.KindDepartment, []string{auth.ScopeNotificationAck}, "")
			if _, err := wf.AcknowledgeNotification(auth.NewContext(ctx, by), r.ID, noKey); err != nil {
				return err
			}
		}
		return nil
	})
}
