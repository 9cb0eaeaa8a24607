package simulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/alvaria"
)

// Paths of the simulated endpoints, relative to where Handler is mounted.
const (
	TokenPath       = "/tokenservice/oauth2/access_token"
	DeliveriesPath  = "/simulator/deliveries"
	PublicKeyPath   = "/simulator/public-key.pem"
	sessionPattern  = "/via/v2/organizations/{orgId}/serverMessaging/session"
	messagePattern  = "/via/v2/organizations/{orgId}/serverMessaging/message"
	apiPrefixFor404 = "/via/"
)

func (s *Simulator) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TokenPath, s.token)
	mux.Handle(sessionPattern, s.api(map[string]http.HandlerFunc{
		http.MethodPost:   s.createSession,
		http.MethodDelete: s.deleteSessionRequest,
	}))
	mux.Handle(messagePattern, s.api(map[string]http.HandlerFunc{
		http.MethodPost: s.sendMessage,
	}))
	mux.HandleFunc(apiPrefixFor404, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, alvaria.ErrorDetail{Scope: "path", Reason: reasonNotFound, Message: "no such resource: " + r.URL.Path})
	})
	mux.HandleFunc("GET "+DeliveriesPath, s.deliveries)
	mux.HandleFunc("GET "+PublicKeyPath, s.publicKey)
	return mux
}

// api wraps the Server Messaging endpoints with the checks every call goes
// through, in the order a gateway would make them: method, credentials, rate
// limit, injected faults, then the organization.
func (s *Simulator) api(methods map[string]http.HandlerFunc) http.Handler {
	allowed := make([]string, 0, len(methods))
	for m := range methods {
		allowed = append(allowed, m)
	}
	slices.Sort(allowed)
	allow := strings.Join(allowed, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := methods[r.Method]
		if !ok {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, alvaria.ErrorDetail{Scope: "method", Reason: reasonInvalid,
				Message: r.Method + " is not allowed here; use " + allow})
			return
		}
		if !s.authorized(r) {
			// The API documents 401 with no body.
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+Issuer+`"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if ok, wait := s.limiter.allow(r.Header.Get(alvaria.HeaderAPIKey), s.cfg.Now()); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
			writeError(w, http.StatusTooManyRequests, alvaria.ErrorDetail{Scope: alvaria.HeaderAPIKey, Reason: "rateLimited",
				Message: "more than " + strconv.FormatFloat(s.cfg.RateLimit, 'f', -1, 64) + " requests a second"})
			return
		}
		if s.injectFault(w) {
			return
		}
		if org := r.PathValue("orgId"); org != s.cfg.OrgID {
			writeError(w, http.StatusNotFound, alvaria.ErrorDetail{Scope: "orgId", Reason: reasonNotFound,
				Message: "organization " + strconv.Quote(org) + " does not exist"})
			return
		}
		h(w, r)
	})
}

// backlogRetryAfter is the Retry-After of a 429 for a full backlog: a
// worker pool drains thousands of callbacks a second, so a second is enough
// for room to open without a client waiting longer than it must.
const backlogRetryAfter = time.Second

// backlogFull answers 429 when more callbacks wait for delivery than
// BacklogLimit allows, so that a client going faster than its webhook gets
// pushed back at once instead of callbacks minutes late. Delete Session is
// not refused: ending sessions is how a client sheds load.
func (s *Simulator) backlogFull(w http.ResponseWriter) bool {
	n := s.Backlog()
	if n < s.cfg.BacklogLimit {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(backlogRetryAfter)))
	writeError(w, http.StatusTooManyRequests, alvaria.ErrorDetail{Scope: "callbacks", Reason: "backlogFull",
		Message: strconv.Itoa(n) + " callbacks are waiting for delivery, the most the simulator queues is " +
			strconv.Itoa(s.cfg.BacklogLimit) + "; try again later"})
	return true
}

func (s *Simulator) createSession(w http.ResponseWriter, r *http.Request) {
	if s.backlogFull(w) {
		return
	}
	body, errs := readJSONBody(w, r)
	if errs != nil {
		writeError(w, http.StatusBadRequest, errs...)
		return
	}
	ns, errs := decodeNewSession(body)
	if errs != nil {
		writeError(w, http.StatusBadRequest, errs...)
		return
	}
	writeSessionResponse(w, s.openSession(ns))
}

func (s *Simulator) deleteSessionRequest(w http.ResponseWriter, r *http.Request) {
	id, errs := sessionIDHeader(r)
	if errs != nil {
		writeError(w, http.StatusBadRequest, errs...)
		return
	}
	if err := s.deleteSession(id); err != nil {
		writeSessionNotFound(w, id, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Simulator) sendMessage(w http.ResponseWriter, r *http.Request) {
	if s.backlogFull(w) {
		return
	}
	id, errs := sessionIDHeader(r)
	if errs != nil {
		writeError(w, http.StatusBadRequest, errs...)
		return
	}
	body, errs := readJSONBody(w, r)
	if errs != nil {
		writeError(w, http.StatusBadRequest, errs...)
		return
	}
	m, errs := decodeMessage(body)
	if errs != nil {
		writeError(w, http.StatusBadRequest, errs...)
		return
	}
	messageID, err := s.receiveMessage(id, m)
	if err != nil {
		writeSessionNotFound(w, id, err)
		return
	}
	// The only response header the document lists for Send Message.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusAccepted, alvaria.MessageResponse{MessageID: messageID})
}

func writeSessionNotFound(w http.ResponseWriter, id string, err error) {
	if !errors.Is(err, ErrUnknownSession) {
		writeError(w, http.StatusInternalServerError, alvaria.ErrorDetail{Message: err.Error()})
		return
	}
	writeError(w, http.StatusNotFound, alvaria.ErrorDetail{Scope: alvaria.HeaderSessionID, Reason: reasonNotFound,
		Message: "session " + strconv.Quote(id) + " does not exist"})
}

// deliveries serves the delivery log, newest first, optionally only one
// session's (?sessionId=) or one event's (?eventId=).
func (s *Simulator) deliveries(w http.ResponseWriter, r *http.Request) {
	sessionID, eventID := r.URL.Query().Get("sessionId"), r.URL.Query().Get("eventId")
	out := s.dlog.list()
	if sessionID != "" || eventID != "" {
		out = slices.DeleteFunc(out, func(a DeliveryAttempt) bool {
			return (sessionID != "" && a.SessionID != sessionID) || (eventID != "" && a.EventID != eventID)
		})
	}
	if tokenSignaturesHidden(r.Context()) {
		for i := range out {
			out[i] = out[i].WithoutSignature()
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

func (s *Simulator) publicKey(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-pem-file")
	_, _ = w.Write(s.pubPEM)
}

// writeError sends an ErrorResponse whose message is the status in words,
// lower case as in the document's example ("not found").
func writeError(w http.ResponseWriter, status int, details ...alvaria.ErrorDetail) {
	writeJSON(w, status, alvaria.ErrorResponse{
		Code:    status,
		Message: strings.ToLower(http.StatusText(status)),
		Errors:  details,
	})
}

// writeSessionResponse is writeJSON of alvaria.SessionResponse without the
// encoder, on the hottest path: an id from newID needs no escaping.
func writeSessionResponse(w http.ResponseWriter, id string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	buf := make([]byte, 0, len(`{"sessionId":""}`)+len(id)+1)
	buf = append(buf, `{"sessionId":"`...)
	buf = append(buf, id...)
	buf = append(buf, "\"}\n"...)
	_, _ = w.Write(buf)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// A write error means the client went away; there is no one to tell.
	_ = json.NewEncoder(w).Encode(v)
}
