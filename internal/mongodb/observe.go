package mongodb

import (
	"context"
	"errors"
	"sync"

	"go.mongodb.org/mongo-driver/v2/event"
)

// CallObserver is told about every command the store sends to its server,
// so metrics and traces can time store calls while the driver stays in this
// package. op is the command's name and collection the collection it names
// (empty when it names none); neither carries a filter or a value.
type CallObserver interface {
	// StoreCallStarted is called as a command is sent; the function it
	// returns is called once with the command's error (nil on success).
	StoreCallStarted(ctx context.Context, op, collection string) func(err error)
}

// errCommandFailed stands for a failed command: the driver's failure
// carries the server's message, which may quote a value.
var errCommandFailed = errors.New("mongodb: command failed")

// commandMonitor turns the driver's command events into CallObserver calls.
func commandMonitor(o CallObserver) *event.CommandMonitor {
	var open sync.Map // request id -> func(error)
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			coll := ""
			if v, err := e.Command.LookupErr(e.CommandName); err == nil {
				coll, _ = v.StringValueOK()
			}
			if !knownCollection(coll) {
				coll = ""
			}
			open.Store(e.RequestID, o.StoreCallStarted(ctx, e.CommandName, coll))
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			if f, ok := open.LoadAndDelete(e.RequestID); ok {
				f.(func(error))(nil)
			}
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			if f, ok := open.LoadAndDelete(e.RequestID); ok {
				f.(func(error))(errCommandFailed)
			}
		},
	}
}

// knownCollection keeps metric labels bounded: only the store's own
// collections are named.
func knownCollection(name string) bool {
	switch name {
	case providersCollection, tokensCollection, revisionsCollection, changesCollection, bulksCollection,
		referralsCollection, referralEventsCollection, shortlistsCollection, auditCollection,
		exposureCollection, unmetNeedCollection, pendingCollection, pendingChangesCollection:
		return true
	}
	return false
}
