package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/views"
)

// scheduleForm is a test page's Schedule form: an interval or a cron
// expression, and an optional alert webhook.
type scheduleForm struct {
	TestID, Every, Cron, AlertURL string
}

func newScheduleForm(r *http.Request, testID string) scheduleForm {
	return scheduleForm{TestID: testID, Every: strings.TrimSpace(r.PostFormValue("every")),
		Cron: strings.TrimSpace(r.PostFormValue("cron")), AlertURL: strings.TrimSpace(r.PostFormValue("alert_url"))}
}

// Validate reads the interval ("15m", "1h"); the service checks its
// bounds, the cron expression and the URL.
func (f scheduleForm) Validate(by accounts.Actor) (runs.ScheduleInput, error) {
	in := runs.ScheduleInput{TestID: f.TestID, Cron: f.Cron, AlertURL: f.AlertURL, By: by}
	if f.Every != "" {
		d, err := time.ParseDuration(f.Every)
		if err != nil || len(f.Every) > 16 {
			return in, input.Invalid("every", "The interval must be a duration such as 15m or 1h")
		}
		in.Every = d
	}
	return in, nil
}

// view is the form as the page shows it again.
func (f scheduleForm) view() views.ScheduleForm {
	return views.ScheduleForm{Every: f.Every, Cron: f.Cron, AlertURL: f.AlertURL}
}
