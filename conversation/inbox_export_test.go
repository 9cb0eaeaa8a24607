package conversation

// InboxEveryBatch makes svc store every batch through the inbox, however
// small, so that tests of the inbox do not depend on callbacks arriving
// faster than one commit each. Call it before the first callback.
func InboxEveryBatch(svc *Service) {
	for _, sh := range svc.ingest.shards {
		sh.inboxFrom = 1
	}
}
