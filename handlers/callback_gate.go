package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/connections"
)

// CallbackGate decides which callbacks the webhook takes: by the
// connection named in the path ("" for the old path, the default
// connection's), with that connection's keys only, and keeps what it saw
// for the connection's diagnostics. The connections service is one.
type CallbackGate interface {
	VerifyCallback(connection, authorization string) (*alvaria.CallbackClaims, error)
	AdmitCallback(ctx context.Context, connection string, claims *alvaria.CallbackClaims, body []byte) error
	NoteCallback(connection, outcome, event string, err error)
}

// singleGate is the gate of a router built with one Verifier and no
// connections: only the old path, with no diagnostics.
type singleGate struct{ v CallbackVerifier }

func (g singleGate) VerifyCallback(connection, authorization string) (*alvaria.CallbackClaims, error) {
	if connection != "" {
		return nil, &connections.Rejection{Reason: connections.ReasonWrongPath, Status: http.StatusNotFound, Err: errors.New("no connection has this callback path")}
	}
	return g.v.Verify(authorization)
}

func (singleGate) AdmitCallback(_ context.Context, _ string, claims *alvaria.CallbackClaims, body []byte) error {
	if err := claims.CheckBody(body); err != nil {
		return &connections.Rejection{Reason: connections.ReasonBadSignature, Status: http.StatusUnauthorized, Err: err}
	}
	return nil
}

func (singleGate) NoteCallback(string, string, string, error) {}

// rejectedStatus is the answer to a refused callback: 401, or 404 for a
// path no connection has.
func rejectedStatus(err error) int {
	var r *connections.Rejection
	if errors.As(err, &r) && r.Status != 0 {
		return r.Status
	}
	return http.StatusUnauthorized
}
