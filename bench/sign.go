package bench

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-dev/parley/alvaria"
)

// Signer signs callbacks the way the simulator does: RS256 with sub =
// sessionId, the eventId claim, a fresh jti, iat and exp.
type Signer struct {
	Key    *rsa.PrivateKey
	Issuer string
	// Life is exp - iat; signed ahead of a run, tokens must outlive it, and
	// the receiver refuses more than its maximum (one hour by default).
	Life time.Duration
	Now  func() time.Time
}

// Callback is one signed request, ready to post.
type Callback struct {
	EventID       string
	SessionID     string // Alvaria's session id
	Body          []byte
	Authorization string
}

// Message signs a MESSAGE callback from an agent to an Alvaria session.
func (s Signer) Message(sessionID, eventID, text string) (Callback, error) {
	body, err := json.Marshal(alvaria.MessageCallback{
		SessionID: sessionID,
		SenderID:  "bench-agent",
		Message:   alvaria.Message{Text: text},
		EventID:   eventID,
	})
	if err != nil {
		return Callback{}, err
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	token, err := alvaria.SignCallbackToken(s.Key, alvaria.CallbackClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.Issuer,
			Subject:   sessionID,
			ID:        randomID(),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.Life)),
		},
		EventID: eventID,
	})
	if err != nil {
		return Callback{}, err
	}
	return Callback{EventID: eventID, SessionID: sessionID, Body: body, Authorization: "Bearer " + token}, nil
}

// SignMessages signs count MESSAGE callbacks spread round-robin over
// sessions, on every CPU, with event ids prefix-0, prefix-1, … so that a run's
// messages can be counted afterwards. Callback i goes to sessions[i%len].
func (s Signer) SignMessages(prefix string, sessions []string, count int) ([]Callback, error) {
	if len(sessions) == 0 {
		return nil, fmt.Errorf("sign callbacks: no sessions")
	}
	out := make([]Callback, count)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < count; i += workers {
				cb, err := s.Message(sessions[i%len(sessions)], fmt.Sprintf("%s-%d", prefix, i), fmt.Sprintf("bench message %d", i))
				if err != nil {
					errs[w] = err
					return
				}
				out[i] = cb
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("sign callbacks: %w", err)
		}
	}
	return out, nil
}

// randomID is a short random hex id for run prefixes and jti.
func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
