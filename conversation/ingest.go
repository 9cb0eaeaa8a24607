package conversation

import (
	"context"
	"hash/maphash"
	"runtime"
	"slices"
	"sync"

	"github.com/parley-dev/parley/store"
)

// Callbacks that arrive together are committed together: each callback
// waits in its shard's queue, and one goroutine per busy shard stores and
// applies everything queued in one transaction, then answers them all. One
// commit per batch instead of one per callback is what lets ingest follow
// the database: a commit waits for the disk, and on SQLite only one writer
// runs at a time anyway.
//
// With Config.IngestBacklog set, a busy shard is an inbox: it only stores
// a batch (one multi-row insert, one commit) and answers 200, and its
// applier applies what it stored meanwhile, many at a time, on another
// connection. A calm shard (a small batch, nothing waiting to be applied)
// still stores and applies in one transaction. A 200 therefore means
// stored durably. The backlog of stored, unapplied callbacks is bounded:
// past it the shard waits for the applier before it stores more, so a
// flood slows Alvaria's answers down instead of the pages falling minutes
// behind. What a crash leaves stored and unapplied is applied by
// ApplyStoredCallbacks, at start and by SweepStoredCallbacks.
//
// A session's callbacks always go to the same shard, so they are committed
// in the order they arrived; shards run in parallel on Postgres.

// maxBatch bounds one transaction: large enough to amortise the commit,
// small enough that its statements stay well under the engines' limits on
// bound parameters and that one slow batch delays few callbacks.
const maxBatch = 64

// inboxBatch is the batch from which a shard stores without applying:
// callbacks arriving faster than one commit each. Below it, and with
// nothing waiting to be applied, one transaction stores and applies, which
// puts the agent's message on the page one commit sooner.
const inboxBatch = 2

// maxApplySessions and maxApplyEvents bound what one applier transaction
// takes from the backlog (at least one session, with all it has waiting),
// so that callbacks arriving meanwhile wait for little.
const (
	maxApplySessions = 64
	maxApplyEvents   = 512
)

// pendingCallback is a parsed callback waiting for its batch.
type pendingCallback struct {
	ctx  context.Context // the request's; a callback whose caller gave up is skipped
	ev   store.CallbackEvent
	done chan error // buffered: the committer never waits for the caller
}

// ingestWork is what a shard does with its callbacks; the Service
// provides it.
type ingestWork struct {
	// commit stores and applies a batch in one transaction, and answers it.
	commit func([]*pendingCallback)
	// store only stores a batch, and answers it; it returns what it stored.
	store func([]*pendingCallback) stored
	// apply applies every stored callback of these Alvaria sessions.
	apply func(alvariaIDs []string)
}

// ingest is the set of shards, built once per Service.
type ingest struct {
	seed   maphash.Seed
	shards []*ingestShard
}

type ingestShard struct {
	mu      sync.Mutex
	queue   []*pendingCallback
	running bool // a drain goroutine stores or commits the queue
	work    ingestWork
	// maxBacklog is how many stored, unapplied callbacks the shard may
	// hold; 0 turns the inbox off.
	maxBacklog int
	backlog    backlog
	inboxFrom  int        // inboxBatch, but for tests
	applying   bool       // an apply goroutine works through the backlog
	applied    *sync.Cond // on mu: the backlog shrank
}

// newIngest makes one shard for SQLite, whose single connection writes
// one transaction at a time, and a few for Postgres, where transactions of
// different sessions run side by side. maxBacklog is shared among them.
func newIngest(dialect string, maxBacklog int, work ingestWork) *ingest {
	n := 1
	if dialect == store.DialectPostgres {
		n = min(2*runtime.GOMAXPROCS(0), 8)
	}
	in := &ingest{seed: maphash.MakeSeed(), shards: make([]*ingestShard, n)}
	perShard := 0
	if maxBacklog > 0 {
		perShard = max(1, maxBacklog/n)
	}
	for i := range in.shards {
		sh := &ingestShard{work: work, maxBacklog: perShard, inboxFrom: inboxBatch, backlog: newBacklog()}
		sh.applied = sync.NewCond(&sh.mu)
		in.shards[i] = sh
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
// shard holds no goroutine. With the inbox on, it only stores them, and an
// apply goroutine of the shard's own applies them meanwhile, on another
// connection.
func (sh *ingestShard) drain() {
	for {
		sh.mu.Lock()
		// A full backlog holds the next batch until the applier has made
		// room, so that a flood is answered at the speed of applying.
		for sh.maxBacklog > 0 && sh.backlog.events >= sh.maxBacklog {
			sh.applied.Wait()
		}
		n := min(len(sh.queue), maxBatch)
		if n == 0 {
			sh.running = false
			sh.mu.Unlock()
			return
		}
		batch := sh.queue[:n:n]
		sh.queue = sh.queue[n:]
		calm := sh.backlog.empty()
		sh.mu.Unlock()

		if sh.maxBacklog == 0 || (calm && n < sh.inboxFrom) {
			sh.work.commit(batch)
			continue
		}
		fresh := sh.work.store(batch)
		sh.mu.Lock()
		sh.backlog.add(fresh)
		if !sh.applying && !sh.backlog.empty() {
			sh.applying = true
			go sh.apply()
		}
		sh.mu.Unlock()
	}
}

// apply works through the backlog, oldest sessions first, until it is
// empty. A failed transaction leaves its callbacks stored, for the next
// callback of their sessions or the sweep. Callbacks count against the
// backlog until they are applied, not when they are taken.
func (sh *ingestShard) apply() {
	for {
		sh.mu.Lock()
		ids, events := sh.backlog.take(maxApplySessions, maxApplyEvents)
		if len(ids) == 0 {
			sh.applying = false
			sh.mu.Unlock()
			return
		}
		sh.mu.Unlock()
		sh.work.apply(ids)
		sh.mu.Lock()
		sh.backlog.events -= events
		sh.applied.Broadcast()
		sh.mu.Unlock()
	}
}

// stored lists the Alvaria sessions a batch stored new callbacks for, in
// the order their first callback arrived, with how many each got.
type stored struct {
	order  []string
	counts map[string]int
}

// merge adds o's sessions and counts, keeping the order of first arrival.
func (s *stored) merge(o stored) {
	for _, id := range o.order {
		if s.counts[id] == 0 {
			s.order = append(s.order, id)
		}
		s.counts[id] += o.counts[id]
	}
}

// backlog is the Alvaria sessions with callbacks stored and not yet taken
// by the applier, oldest first, and how many callbacks are stored and not
// yet applied.
type backlog struct {
	stored
	events int
}

func newBacklog() backlog { return backlog{stored: stored{counts: make(map[string]int)}} }

func (b *backlog) empty() bool { return len(b.order) == 0 }

func (b *backlog) add(s stored) {
	b.merge(s)
	for _, id := range s.order {
		b.events += s.counts[id]
	}
}

// take removes the oldest sessions, at most maxSessions of them and, past
// the first, no more than maxEvents callbacks in all, and says how many
// callbacks they have; the caller takes those off events once applied.
func (b *backlog) take(maxSessions, maxEvents int) ([]string, int) {
	n, events := 0, 0
	for n < min(maxSessions, len(b.order)) {
		c := b.counts[b.order[n]]
		if n > 0 && events+c > maxEvents {
			break
		}
		events += c
		n++
	}
	ids := slices.Clone(b.order[:n])
	b.order = b.order[n:]
	for _, id := range ids {
		delete(b.counts, id)
	}
	return ids, events
}
