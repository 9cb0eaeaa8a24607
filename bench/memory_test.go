package bench

import (
	"os"
	"testing"
)

func TestReadResidentOfThisProcess(t *testing.T) {
	r, err := ReadResident(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if r.RSS <= 0 || r.Anon <= 0 || r.File < 0 || r.Anon+r.File > r.RSS+64<<10 {
		t.Errorf("resident memory %+v does not add up", r)
	}
	if _, err := ReadResident(0); err == nil {
		t.Error("process 0: want an error")
	}
}

// The test binary's own pages: the runtime has run, so some of its code is
// resident, and no package holds more than the file-backed total.
func TestReadBreakdownOfThisProcess(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadBreakdown(os.Getpid(), exe)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ReadResident(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	var sections, packages, runtimeKB float64
	for _, s := range b.Sections {
		sections += s.KB
	}
	for _, p := range b.Packages {
		packages += p.KB
		if p.Name == "runtime" {
			runtimeKB = p.KB
		}
	}
	if runtimeKB <= 0 {
		t.Errorf("no resident code of package runtime in %+v", b.Packages[:min(10, len(b.Packages))])
	}
	if sections != packages {
		t.Errorf("sections add up to %.0f KB, packages to %.0f KB", sections, packages)
	}
	if sections*1024 > float64(r.RSS) {
		t.Errorf("%.0f KB of the executable resident, more than the whole process's %s", sections, MB(r.RSS))
	}
	if _, err := ReadBreakdown(os.Getpid(), "/nonexistent"); err == nil {
		t.Error("a missing executable: want an error")
	}
}

func TestSymbolPackage(t *testing.T) {
	for name, want := range map[string]string{
		"net/http.(*conn).serve":                    "net/http",
		"github.com/gin-gonic/gin.(*Engine).handle": "github.com/gin-gonic/gin",
		"github.com/ugorji/go/codec.init.0":         "github.com/ugorji/go/codec",
		"gopkg.in/yaml%2ev3.unmarshal":              "gopkg.in/yaml.v3",
		"runtime.pclntab":                           "runtime.pclntab",
		"runtime.rodata":                            "runtime.types",
		"main.main":                                 "main",
		"slices.SortFunc[go.shape.int]":             "slices",
		"go:string.*":                               "go:string.*",
	} {
		if got := symbolPackage(name); got != want {
			t.Errorf("symbolPackage(%q) = %q, want %q", name, got, want)
		}
	}
}
