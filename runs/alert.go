package runs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
	"time"

	"github.com/parley-dev/parley/store"
)

// AlertAttempts is how many times an alert is tried before it is given up.
const AlertAttempts = 8

// AlertQueue puts an alert on the job queue; *Jobs is one. A queue without
// it leaves alerts pending, shown as such.
type AlertQueue interface {
	EnqueueAlert(ctx context.Context, deliveryID int64) error
}

// AlertPayload is the JSON an alert webhook receives: Slack's incoming
// webhooks read Text, anything else the structured fields.
type AlertPayload struct {
	Text  string     `json:"text"`
	Event string     `json:"event"` // "failing" or "recovered"
	Test  AlertTest  `json:"test"`
	Run   AlertRun   `json:"run"`
	Since time.Time  `json:"since"`
	Links AlertLinks `json:"links"`
}

// AlertTest names the test an alert is about.
type AlertTest struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// AlertRun is the run that changed the test's state.
type AlertRun struct {
	ID         int64   `json:"id"`
	Status     string  `json:"status"`
	Reason     string  `json:"reason,omitempty"`
	DurationMS int64   `json:"duration_ms"`
	FinishedAt *string `json:"finished_at,omitempty"`
}

// AlertLinks open the test and the run in the console.
type AlertLinks struct {
	Test       string `json:"test"`
	Run        string `json:"run"`
	Monitoring string `json:"monitoring"`
}

// noteResult moves a monitored test's state by its finished run and queues
// the alert of a turn. A failure here loses no alert that was stored: the
// next tick sends what is unsent.
func (svc *Service) noteResult(ctx context.Context, r store.Run, status string) {
	ctx = context.WithoutCancel(ctx)
	ch, err := svc.store.RecordMonitorResult(ctx, r.TestID, r.ID, status == store.RunPassed, svc.now())
	if err != nil {
		svc.log.Error("record a run on its test's monitor", "run", r.ID, "err", err)
		return
	}
	if ch.Delivery != 0 {
		svc.enqueueAlert(ctx, ch.Delivery)
	}
}

func (svc *Service) enqueueAlert(ctx context.Context, id int64) {
	q, ok := svc.queue.(AlertQueue)
	if !ok {
		return
	}
	if err := q.EnqueueAlert(ctx, id); err != nil {
		svc.log.Warn("queue an alert; the next tick tries again", "alert", id, "err", err)
	}
}

// resendUnsent queues every alert still to be sent, in case its job was
// lost; jobs are unique per alert, so one queued already is not doubled.
func (svc *Service) resendUnsent(ctx context.Context) {
	unsent, err := svc.store.ListUnsentAlerts(ctx, 100)
	if err != nil {
		svc.log.Error("list unsent alerts", "err", err)
		return
	}
	for _, d := range unsent {
		svc.enqueueAlert(ctx, d.ID)
	}
}

// errAlertRefused is an answer that trying again cannot change.
var errAlertRefused = errors.New("the webhook refused the alert")

// DeliverAlert POSTs one alert and records how it went. It returns an error
// while trying again may help; the job retries with backoff until
// AlertAttempts, and the last attempt marks the alert failed.
func (svc *Service) DeliverAlert(ctx context.Context, id int64, attempt int) error {
	d, err := svc.store.GetAlertDelivery(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // its test was deleted
	}
	if err != nil {
		return err
	}
	if d.Status == store.AlertDelivered || d.Status == store.AlertFailed {
		return nil
	}
	body, err := svc.alertBody(ctx, d)
	if err != nil {
		return err
	}
	code, sendErr := svc.post(ctx, d.URL, body)
	status, errText := store.AlertDelivered, ""
	if sendErr != nil {
		status, errText = store.AlertRetrying, sendErr.Error()
		if attempt >= AlertAttempts || errors.Is(sendErr, errAlertRefused) {
			status = store.AlertFailed
		}
	}
	if err := svc.store.RecordAlertAttempt(context.WithoutCancel(ctx), d.ID, status, code, errText, svc.now()); err != nil {
		return err
	}
	if status == store.AlertRetrying {
		return sendErr
	}
	return nil
}

// post sends body and reads the answer's status. A 2xx is delivered; a
// 4xx other than 408 and 429 is refused for good (a wrong or revoked URL);
// anything else is tried again.
func (svc *Service) post(ctx context.Context, url string, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, alertTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errAlertRefused, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Parley-Alerts")
	resp, err := svc.alertClient.Do(req)
	if err != nil {
		// Not the *url.Error itself: it quotes the URL, which for Slack is
		// a secret, and the reason is shown to everyone who reads the test.
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, fmt.Errorf("post the alert: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return c, nil
	case c >= 400 && c < 500 && c != http.StatusRequestTimeout && c != http.StatusTooManyRequests:
		return c, fmt.Errorf("%w with %s", errAlertRefused, resp.Status)
	default:
		return c, fmt.Errorf("the webhook answered %s", resp.Status)
	}
}

// alertBody is the alert's JSON, built from the run that turned the state.
func (svc *Service) alertBody(ctx context.Context, d store.AlertDelivery) ([]byte, error) {
	t, err := svc.store.GetTest(ctx, d.TestID)
	if err != nil {
		return nil, fmt.Errorf("alert %d: %w", d.ID, err)
	}
	r, err := svc.store.GetRun(ctx, d.RunID)
	if err != nil {
		return nil, fmt.Errorf("alert %d: %w", d.ID, err)
	}
	base := strings.TrimRight(svc.publicURL, "/")
	p := AlertPayload{
		Event: d.Kind, Since: d.CreatedAt,
		Test:  AlertTest{ID: t.ID, Name: t.Name},
		Run:   AlertRun{ID: r.ID, Status: r.Status, Reason: r.Reason, DurationMS: presentRun(r, nil).Duration(svc.now()).Milliseconds()},
		Links: AlertLinks{Test: base + "/tests/" + t.ID, Run: fmt.Sprintf("%s/runs/%d", base, r.ID), Monitoring: base + "/monitoring"},
	}
	if r.FinishedAt != nil {
		s := r.FinishedAt.UTC().Format(time.RFC3339)
		p.Run.FinishedAt = &s
	}
	if d.Kind == store.AlertFailing {
		p.Text = fmt.Sprintf("Parley: test %q started failing (run #%d %s). %s <%s|Open the run>", slackEscape(t.Name), r.ID, r.Status, slackEscape(r.Reason), p.Links.Run)
	} else {
		p.Text = fmt.Sprintf("Parley: test %q recovered: run #%d passed. <%s|Open the run>", slackEscape(t.Name), r.ID, p.Links.Run)
	}
	return json.Marshal(p)
}

// slackEscape keeps a name or reason from being read as Slack markup (a
// link or a mention) in the alert's text.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// tellResult tells the metrics a saved test's run finished, with how long
// it took as stored.
func (svc *Service) tellResult(ctx context.Context, runID int64, status string) {
	if svc.testResult == nil {
		return
	}
	r, err := svc.store.GetRun(ctx, runID)
	if err != nil {
		return
	}
	t, err := svc.store.GetTest(ctx, r.TestID)
	if err != nil {
		return // deleted meanwhile: nothing to label
	}
	at := svc.now()
	if r.FinishedAt != nil {
		at = *r.FinishedAt
	}
	svc.testResult(TestResult{TestID: t.ID, Name: t.Name, Status: status, Duration: presentRun(r, nil).Duration(at), At: at})
}
