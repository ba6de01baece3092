package workflow

// The listing machine's timed transitions (T21): a market ban restricts
// from its start date and ends by itself on its end date; a permanent ban
// never ends. The records a ban wrote carry its days, so every path (credit
// checks, grades, reports, the records' public view) honours the window
// from the day it opens, whether or not this job has run yet
// (catalogue.Annotate). The job writes what the window means for the
// listing: on its first day, a history event and the entity's grade marked
// out of date; on its end date, the removal (EXPIRED) with its history, as
// removeListing writes it. Each writes its changes for the agencies' feed
// (feed.go): the listing STARTED or REMOVED, and its records CHANGED.
//
// Safe with several instances: each step runs under an idempotency key of
// the hub's own (one per ban and step) and re-checks the entry under its
// row lock, so a step takes effect once whichever instance gets there
// first, and a retry after a crash writes nothing twice.

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"credithub/auth"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// The ban job's actions in a listing's history.
const (
	actionStartBan = "startBan"
	actionEndBan   = "endBan"
)

// BanJob is who the bans job acts as: the credit office's hub itself.
var BanJob = auth.NewPrincipal("bans-job", "credit-office", auth.KindAdmin, nil, "")

// BanRun is what one run of the bans job did.
type BanRun struct {
	Started, Ended int
}

// RunBans records the bans whose start has come and ends those whose end
// has, at most limit of each (0: 500); the rest wait for the next run.
func (s *Service) RunBans(ctx context.Context, limit int) (BanRun, error) {
	if limit <= 0 {
		limit = 500
	}
	var run BanRun
	ctx = auth.NewContext(ctx, BanJob)
	now := s.now()
	starting, err := s.DB.ListEntries().BansStarting(ctx, now, limit)
	if err != nil {
		return run, err
	}
	for _, id := range starting {
		done, err := s.startBan(ctx, id)
		if err != nil {
			return run, fmt.Errorf("starting ban %d: %w", id, err)
		}
		if done {
			run.Started++
		}
	}
	ending, err := s.DB.ListEntries().BansEnding(ctx, now, limit)
	if err != nil {
		return run, err
	}
	for _, id := range ending {
		done, err := s.endBan(ctx, id)
		if err != nil {
			return run, fmt.Errorf("ending ban %d: %w", id, err)
		}
		if done {
			run.Ended++
		}
	}
	return run, nil
}

// StartBan records ban id's first day, as the bans job does when it comes
// (the seed replays the job's steps at their moments with it); false when
// there was nothing to record.
func (s *Service) StartBan(ctx context.Context, id int64) (bool, error) { return s.startBan(ctx, id) }

// EndBan ends ban id on its end date, as the bans job does.
func (s *Service) EndBan(ctx context.Context, id int64) (bool, error) { return s.endBan(ctx, id) }

// banStep is the answer a ban step stores under its idempotency key: the
// entry, and whether this run was the one that changed it.
type banStep struct {
	*ListEntry
	Changed bool `json:"changed"`
}

func banKey(step string, id int64) hubdb.Key {
	return hubdb.Key{Value: step + ":" + strconv.FormatInt(id, 10)}
}

// startBan records ban id's first day: a history event (LISTED → LISTED)
// and the entity's grade marked out of date, once.
func (s *Service) startBan(ctx context.Context, id int64) (bool, error) {
	out, err := transact(ctx, s, banKey(actionStartBan, id), actionStartBan, func(tx *hubdb.DB, now time.Time) (banStep, error) {
		e, err := lockListEntry(ctx, tx, id, "id")
		if err != nil {
			return banStep{}, err
		}
		today := scalars.DateOf(now)
		if e.ListType != credit.ListMarketBan || e.State != Listed || e.BanStart == nil || today.Before(*e.BanStart) {
			return banStep{ListEntry: e}, nil
		}
		marked, err := tx.ListEntries().MarkBanStarted(ctx, e.DBID, now)
		if err != nil || !marked {
			return banStep{ListEntry: e}, err
		}
		// Its records restrict from today: the agencies' feed says so.
		started, err := tx.HubRecords().OfListing(ctx, e.ID())
		if err != nil {
			return banStep{}, err
		}
		if err := s.feed(ctx, tx, listingRecordsChanged(hubdb.ActionStarted, e, started)...); err != nil {
			return banStep{}, err
		}
		return banStep{ListEntry: e, Changed: true}, record(ctx, tx, WorkflowListing, e.DBID, actionStartBan, State(Listed), State(Listed),
			fmt.Sprintf("禁入期自%s起算", e.BanStart), now)
	})
	return out.Changed, err
}

// endBan takes ban id off its list on its end date (EXPIRED), with its
// records, as removeListing does, once.
func (s *Service) endBan(ctx context.Context, id int64) (bool, error) {
	out, err := transact(ctx, s, banKey(actionEndBan, id), actionEndBan, func(tx *hubdb.DB, now time.Time) (banStep, error) {
		e, err := lockListEntry(ctx, tx, id, "id")
		if err != nil {
			return banStep{}, err
		}
		today := scalars.DateOf(now)
		if e.ListType != credit.ListMarketBan || e.State != Listed || e.Permanent || e.BanEnd == nil || today.Before(*e.BanEnd) {
			return banStep{ListEntry: e}, nil
		}
		reason := RemovedExpired
		e.State, e.RemovedOn, e.RemovalReason = Removed, &today, &reason
		e.RectificationOverdue = false
		if err := tx.ListEntries().Remove(ctx, e.DBID, string(Removed), now, string(reason)); err != nil {
			return banStep{}, err
		}
		ended, err := tx.HubRecords().EndListing(ctx, e.ID(), credit.Expired)
		if err != nil {
			return banStep{}, err
		}
		if err := s.feed(ctx, tx, listingRecordsChanged(hubdb.ActionRemoved, e, ended)...); err != nil {
			return banStep{}, err
		}
		return banStep{ListEntry: e, Changed: true}, record(ctx, tx, WorkflowListing, e.DBID, actionEndBan, State(Listed), State(Removed),
			fmt.Sprintf("%s: 禁入期限%s届满", reason, e.BanEnd), now)
	})
	return out.Changed, err
}
