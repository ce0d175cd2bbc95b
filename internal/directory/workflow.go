package directory

// WorkflowStore is what the adviser and provider workflows keep: referrals,
// shortlists, provider histories, the audit log and the fairness counters.
// It is embedded in Store; it lives in its own file so that it grows apart
// from the provider store.
type WorkflowStore interface {
	ReferralStore
	ShortlistStore
	HistoryStore
	AuditStore
	ExposureStore
	PendingChangeStore
}
