package conversation

import (
	"context"
	"hash/maphash"
	"runtime"
	"sync"

	"github.com/parley-dev/parley/store"
)

// Callbacks that arrive together are committed together: each callback
// waits in its shard's queue, and one goroutine per busy shard stores and
// applies everything queued in one transaction, then answers them all. One
// commit per batch instead of one per callback is what lets ingest follow
// the database: a commit waits for the disk, and on SQLite only one writer
// runs at a time anyway. A callback still gets its answer only once it is
// committed, so a 200 always means stored and applied.
//
// A session's callbacks always go to the same shard, so they are committed
// in the order they arrived; shards run in parallel on Postgres.

// maxBatch bounds one transaction: large enough to amortise the commit,
// small enough that its statements stay well under the engines' limits on
// bound parameters and that one slow batch delays few callbacks.
const maxBatch = 64

// pendingCallback is a parsed callback waiting for its batch.
type pendingCallback struct {
	ctx  context.Context // the request's; a callback whose caller gave up is skipped
	ev   store.CallbackEvent
	done chan error // buffered: the committer never waits for the caller
}

// ingest is the set of shards, built once per Service.
type ingest struct {
	seed   maphash.Seed
	shards []*ingestShard
}

type ingestShard struct {
	mu      sync.Mutex
	queue   []*pendingCallback
	running bool
	commit  func([]*pendingCallback)
}

// newIngest makes one shard for SQLite, whose single connection writes
// one transaction at a time, and a few for Postgres, where transactions of
// different sessions run side by side.
func newIngest(dialect string, commit func([]*pendingCallback)) *ingest {
	n := 1
	if dialect == store.DialectPostgres {
		n = min(2*runtime.GOMAXPROCS(0), 8)
	}
	in := &ingest{seed: maphash.MakeSeed(), shards: make([]*ingestShard, n)}
	for i := range in.shards {
		in.shards[i] = &ingestShard{commit: commit}
	}
	return in
}

// submit queues p on its session's shard and waits for its batch to commit.
func (in *ingest) submit(p *pendingCallback) error {
	sh := in.shards[maphash.String(in.seed, p.ev.AlvariaSessionID)%uint64(len(in.shards))]
	sh.mu.Lock()
	sh.queue = append(sh.queue, p)
	if !sh.running {
		sh.running = true
		go sh.drain()
	}
	sh.mu.Unlock()
	select {
	case err := <-p.done:
		return err
	case <-p.ctx.Done():
		// The batch may still commit it; Alvaria's retry then finds it
		// stored and changes nothing.
		return p.ctx.Err()
	}
}

// drain commits batches until the queue is empty, then stops: an idle
// shard holds no goroutine.
func (sh *ingestShard) drain() {
	for {
		sh.mu.Lock()
		n := min(len(sh.queue), maxBatch)
		if n == 0 {
			sh.running = false
			sh.mu.Unlock()
			return
		}
		batch := sh.queue[:n:n]
		sh.queue = sh.queue[n:]
		sh.mu.Unlock()
		sh.commit(batch)
	}
}
