package simulator

import "time"

// Signing a callback's RS256 token costs far more than posting it, and a
// session's callbacks are posted one at a time, in order. So the tokens of
// callbacks waiting behind another of their session are signed ahead, on
// every CPU, by a small pool of signers working through them in the order
// they were queued, while the delivery workers post. A session sending a
// burst is then not held to what one CPU signs, and the order of its posts
// is untouched: only the posting is ordered.
//
// A worker that reaches a job whose token is not signed yet signs it itself,
// so a worker never waits on a signer.

const (
	// lookaheadPerSigner bounds how many tokens wait signed per signer:
	// enough to keep the signers busy while a worker posts, few enough that
	// a token is fresh when it is sent and a pause leaves little signed.
	lookaheadPerSigner = 8
	minLookahead       = 16
	// maxPresignedAge is how old a token signed ahead may be when sent;
	// older (the clock moved on, a long wait behind a slow receiver) and it
	// is signed again, so iat stays close to the attempt.
	maxPresignedAge = 30 * time.Second
)

// presign is one attempt's token, signed ahead; guarded by delivery.mu.
type presign struct {
	ev    *event
	state presignState
	token string
	at    time.Time // Config.Now when signed
	err   error
}

type presignState int

const (
	presignPending presignState = iota // in toSign, nobody on it
	presignSigning                     // a signer is on it
	presignDone                        // signed ahead; counted in signed
	presignClaimed                     // a worker took it, or signs itself
)

// presignBehindLocked has the jobs appended to q from index from on signed
// ahead when they wait behind another callback of their session: only
// there is a token worth signing early. A job at the head of an idle queue
// goes to a free worker at once, which signs it, as the pool of workers
// signs the heads of many sessions in parallel already.
func (d *delivery) presignBehindLocked(q *sessionQueue, from int) {
	for i := from; i < len(q.jobs); i++ {
		if (i == 0 && !q.busy) || q.jobs[i].sig != nil {
			continue
		}
		p := &presign{ev: q.jobs[i].ev}
		q.jobs[i].sig = p
		d.toSign = append(d.toSign, p)
		d.signCond.Signal()
	}
}

// signAhead is one signer: it signs queued jobs' tokens, oldest first,
// while delivery runs and fewer than lookahead wait signed.
func (d *delivery) signAhead() {
	for {
		d.mu.Lock()
		for !d.closed && (d.paused || len(d.toSign) == 0 || d.signed >= d.lookahead) {
			d.signCond.Wait()
		}
		if d.closed {
			d.mu.Unlock()
			return
		}
		p := d.toSign[0]
		d.toSign[0] = nil
		d.toSign = d.toSign[1:]
		if p.state != presignPending {
			d.mu.Unlock() // a worker got to it first
			continue
		}
		p.state = presignSigning
		d.mu.Unlock()

		at := d.now()
		token, err := d.sign(p.ev)

		d.mu.Lock()
		if p.state == presignSigning {
			p.token, p.at, p.err = token, at, err
			p.state = presignDone
			d.signed++
		} // else the worker came first and signed its own
		d.mu.Unlock()
	}
}

// claim takes a job's token for its attempt: "" when the attempt should
// sign its own (no signer finished it, it failed, or it is stale). A worker
// never waits for a signer: on a busy machine the signer's thread may not
// run for a while, and the session's callbacks would wait behind it.
func (d *delivery) claim(p *presign) string {
	if p == nil {
		return ""
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	state := p.state
	p.state = presignClaimed
	if state != presignDone {
		return "" // pending, or a signer is on it: its work is dropped
	}
	d.signed--
	d.signCond.Signal()
	if p.err != nil || d.now().Sub(p.at) > maxPresignedAge {
		return ""
	}
	d.usedAhead++
	return p.token
}
