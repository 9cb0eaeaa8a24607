package handlers

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/views"
)

// connectionForm is the connection form: the settings, the secrets (which
// are never shown again) and callback keys pasted or uploaded.
type connectionForm struct {
	views.ConnectionForm
	ClientSecret string
	APIKey       string
	// upload is a problem with the uploaded key files, if any.
	upload string
}

// connectionFields maps the service's field names to the form's.
var connectionFields = map[string]string{
	"name": "name", "region": "region", "apiUrl": "api_url", "tokenUrl": "token_url", "orgId": "org_id", "clientId": "client_id",
	"clientSecret": "client_secret", "apiKey": "api_key", "callbackKeys": "callback_keys", "defaultWorkType": "default_work_type",
}

// maxKeyUpload bounds the uploaded key files together, as the service
// bounds the keys.
const maxKeyUpload = 64 << 10

func newConnectionForm(r *http.Request) connectionForm {
	f := connectionForm{ConnectionForm: views.ConnectionForm{
		Name: r.PostFormValue("name"), Region: r.PostFormValue("region"), APIURL: r.PostFormValue("api_url"),
		TokenURL: r.PostFormValue("token_url"), OrgID: r.PostFormValue("org_id"), ClientID: r.PostFormValue("client_id"),
		CallbackKeys: r.PostFormValue("callback_keys"), DefaultWorkType: r.PostFormValue("default_work_type"),
	}, ClientSecret: r.PostFormValue("client_secret"), APIKey: r.PostFormValue("api_key")}
	if r.MultipartForm == nil {
		return f
	}
	var read int64
	for _, fh := range r.MultipartForm.File["callback_keys_file"] {
		file, err := fh.Open()
		if err != nil {
			f.upload = fmt.Sprintf("the file %s could not be read", fh.Filename)
			break
		}
		data, err := io.ReadAll(io.LimitReader(file, maxKeyUpload-read+1))
		file.Close()
		read += int64(len(data))
		if err != nil || read > maxKeyUpload {
			f.upload = fmt.Sprintf("the uploaded key files are larger than %d KiB together", maxKeyUpload>>10)
			break
		}
		if f.CallbackKeys != "" && !strings.HasSuffix(f.CallbackKeys, "\n") {
			f.CallbackKeys += "\n"
		}
		f.CallbackKeys += string(data)
	}
	return f
}

// Validate returns the service's input; the service checks the values.
func (f connectionForm) Validate(by accounts.Actor) (connections.Input, error) {
	if f.upload != "" {
		return connections.Input{}, input.Invalid("callbackKeys", f.upload)
	}
	return connections.Input{
		Name: f.Name, Region: f.Region, APIURL: f.APIURL, TokenURL: f.TokenURL, OrgID: f.OrgID, ClientID: f.ClientID,
		ClientSecret: f.ClientSecret, APIKey: f.APIKey, CallbackKeys: f.CallbackKeys, DefaultWorkType: f.DefaultWorkType, By: by,
	}, nil
}
