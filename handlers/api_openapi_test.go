package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/runs"
)

// openAPIDoc is what the check reads of the OpenAPI document.
type openAPIDoc struct {
	OpenAPI string                    `yaml:"openapi"`
	Servers []struct{ URL string }    `yaml:"servers"`
	Paths   map[string]map[string]any `yaml:"paths"`
}

var ginParam = regexp.MustCompile(`:([A-Za-z]+)`)

// TestOpenAPIDocumentMatchesTheRoutes keeps the document true: every route
// under /api/v1 is documented, and every documented operation is a route.
func TestOpenAPIDocumentMatchesTheRoutes(t *testing.T) {
	router := handlers.NewRouter(handlers.Deps{Runs: runs.New(runs.Config{})})
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/api/v1/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/yaml") {
		t.Fatalf("openapi.yaml = %d %s, want it served without a token", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc openAPIDoc
	if err := yaml.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("openapi %q, servers %+v", doc.OpenAPI, doc.Servers)
	}

	var routes []string
	for _, r := range router.Routes() {
		path, ok := strings.CutPrefix(r.Path, "/api/v1")
		if !ok {
			continue
		}
		op := strings.ToLower(r.Method) + " " + ginParam.ReplaceAllString(path, "{$1}")
		routes = append(routes, op)
		if _, documented := doc.Paths[ginParam.ReplaceAllString(path, "{$1}")][strings.ToLower(r.Method)]; !documented {
			t.Errorf("route %s %s is not in openapi.yaml", r.Method, r.Path)
		}
	}
	methods := []string{"get", "put", "post", "delete", "patch", "head", "options"}
	documented := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			if !slices.Contains(methods, method) {
				continue // parameters, summary: not operations
			}
			documented++
			if !slices.Contains(routes, method+" "+path) {
				t.Errorf("openapi.yaml documents %s %s, which is no route", strings.ToUpper(method), path)
			}
		}
	}
	if documented < 6 {
		t.Fatalf("only %d operations documented: %v", documented, routes)
	}
}

// The document's schemas name exactly the fields the API's Go types encode,
// so a field added, renamed or dropped on one side fails here.
func TestOpenAPISchemasMatchTheAnswers(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `yaml:"properties"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(handlers.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"Run": handlers.APIRun{}, "Step": handlers.APIStep{}, "Test": handlers.APITest{},
		"RunList": handlers.APIRunList{}, "Error": handlers.JSONError{}, "LoadRun": handlers.APILoadRun{},
	} {
		var fields []string
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			fields = append(fields, tag)
		}
		var documented []string
		for p := range doc.Components.Schemas[name].Properties {
			documented = append(documented, p)
		}
		slices.Sort(fields)
		slices.Sort(documented)
		if !slices.Equal(fields, documented) {
			t.Errorf("schema %s has %v; the API encodes %v", name, documented, fields)
		}
	}
}
