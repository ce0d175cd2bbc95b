package telemetry

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Sources are read at each scrape for the gauges and counters kept
// elsewhere. A nil field's metric is left out.
type Sources struct {
	// Ready reports whether searches and matches can be answered.
	Ready func() bool
	// Catalogue is how many providers the catalogue holds.
	Catalogue func() int
	// Stale is how many listings (not ended) are overdue for verification.
	Stale func() int
	// Position is the last change of the store's log applied here.
	Position func() int64
	// Head is the last change in the store's log (a store call, so it is
	// given a short deadline).
	Head func(ctx context.Context) (int64, error)
	// CaughtUp is when this replica last had every change in the log.
	CaughtUp func() time.Time
	// Rebuilds is how many times the search index was rebuilt whole.
	Rebuilds func() int64
	// RecorderQueue and RecorderDropped are the fairness recorder's queue
	// length and observations dropped.
	RecorderQueue   func() int
	RecorderDropped func() int64
}

// Watch registers the metrics read from src.
func (t *Telemetry) Watch(src Sources) {
	if t == nil {
		return
	}
	gauge := func(name, help string, f func() float64) {
		t.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
	}
	counter := func(name, help string, f func() float64) {
		t.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
	}
	if f := src.Ready; f != nil {
		gauge("brokerfinder_ready", "1 when searches and matches can be answered, else 0.", func() float64 {
			if f() {
				return 1
			}
			return 0
		})
	}
	if f := src.Catalogue; f != nil {
		gauge("brokerfinder_catalogue_providers", "Providers held in the catalogue.", func() float64 { return float64(f()) })
	}
	if f := src.Stale; f != nil {
		gauge("brokerfinder_stale_listings", "Listings (not ended) overdue for verification.", func() float64 { return float64(f()) })
	}
	if f := src.Position; f != nil {
		gauge("brokerfinder_changelog_position", "Last change of the store's log applied by this replica.", func() float64 { return float64(f()) })
		if h := src.Head; h != nil {
			gauge("brokerfinder_changelog_behind", "Changes in the store's log this replica has not yet applied (-1 when the store cannot be read).", func() float64 {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				head, err := h(ctx)
				if err != nil {
					return -1
				}
				return float64(max(head-f(), 0))
			})
		}
	}
	if f := src.CaughtUp; f != nil {
		gauge("brokerfinder_changelog_lag_seconds", "Seconds since this replica last had every change in the store's log.", func() float64 {
			return time.Since(f()).Seconds()
		})
	}
	if f := src.Rebuilds; f != nil {
		counter("brokerfinder_index_rebuilds_total", "Whole rebuilds of the search index.", func() float64 { return float64(f()) })
	}
	if f := src.RecorderQueue; f != nil {
		gauge("brokerfinder_fairness_queue_length", "Match observations waiting for the fairness recorder.", func() float64 { return float64(f()) })
	}
	if f := src.RecorderDropped; f != nil {
		counter("brokerfinder_fairness_dropped_total", "Match observations the fairness recorder dropped when full.", func() float64 { return float64(f()) })
	}
}
