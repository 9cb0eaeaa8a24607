package bench

import (
	"bufio"
	"context"
	"debug/elf"
	"debug/gosym"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// Resident is a process's resident memory from /proc/<pid>/status (Linux
// only), in bytes: VmRSS, and its parts. File is pages of mapped files,
// mostly the executable's code and read-only data, shared with the page
// cache; Anon is the process's own memory (heap, stacks).
type Resident struct {
	RSS, Anon, File int64
}

func (r Resident) String() string {
	return fmt.Sprintf("%s RSS (anonymous %s, file-backed %s)", MB(r.RSS), MB(r.Anon), MB(r.File))
}

// ReadResident reads pid's resident memory.
func ReadResident(pid int) (Resident, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return Resident{}, fmt.Errorf("read the resident size of process %d: %w", pid, err)
	}
	defer f.Close()
	var r Resident
	fields := map[string]*int64{"VmRSS:": &r.RSS, "RssAnon:": &r.Anon, "RssFile:": &r.File}
	found := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Fields(sc.Text())
		p, ok := fields[firstOr(parts)]
		if !ok {
			continue
		}
		if len(parts) != 3 || parts[2] != "kB" {
			return Resident{}, fmt.Errorf("process %d: unexpected line %q", pid, sc.Text())
		}
		kb, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			return Resident{}, fmt.Errorf("process %d: %q: %w", pid, sc.Text(), err)
		}
		*p = kb << 10
		found++
	}
	if err := sc.Err(); err != nil {
		return Resident{}, err
	}
	if found != len(fields) {
		return Resident{}, fmt.Errorf("process %d has no VmRSS, RssAnon and RssFile (a kernel thread, or gone)", pid)
	}
	return r, nil
}

func firstOr(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return parts[0]
}

// Sockets are idle websockets held open to a console, each read by a
// goroutine that discards what arrives, as an idle browser tab would.
type Sockets struct {
	conns  []*websocket.Conn
	cancel context.CancelFunc
}

// OpenSockets opens n websockets to path (such as /live/sessions) on c's
// console, signed in with c's cookies, one after another.
func (c *Console) OpenSockets(ctx context.Context, path string, n int) (*Sockets, error) {
	wsURL := "ws" + strings.TrimPrefix(c.Base, "http") + path
	if _, err := url.Parse(wsURL); err != nil {
		return nil, fmt.Errorf("websocket path %q: %w", path, err)
	}
	readCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Sockets{cancel: cancel}
	for i := range n {
		dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
		conn, resp, err := websocket.Dial(dctx, wsURL, &websocket.DialOptions{HTTPClient: c.HTTP})
		dcancel()
		if err != nil {
			s.Close()
			if resp != nil {
				return nil, fmt.Errorf("websocket %d of %d to %s: %s: %w", i+1, n, wsURL, resp.Status, err)
			}
			return nil, fmt.Errorf("websocket %d of %d to %s: %w", i+1, n, wsURL, err)
		}
		conn.SetReadLimit(16 << 20)
		s.conns = append(s.conns, conn)
		go func() {
			for {
				if _, _, err := conn.Read(readCtx); err != nil {
					return
				}
			}
		}()
	}
	return s, nil
}

// Len is how many are open.
func (s *Sockets) Len() int { return len(s.conns) }

// Close closes them all.
func (s *Sockets) Close() {
	for _, c := range s.conns {
		_ = c.CloseNow()
	}
	s.cancel()
}

// MB prints bytes as mebibytes, the unit the memory goals are written in.
func MB(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// Breakdown is where a process's resident pages of its own executable lie:
// KB per section and per Go package, from /proc/<pid>/maps and
// /proc/<pid>/pagemap (Linux; the present bit needs no privilege) and the
// executable's symbol table. The kernel maps file pages around each one a
// process touches (64 KB at a time), so a package's figure is the code and
// data near what ran, not only what ran. Tables without per-package symbols
// (the type descriptors, the pc-value and function tables) count under their
// own names.
type Breakdown struct {
	Sections []Share
	Packages []Share
}

// Share is resident KB of one section or package.
type Share struct {
	Name string
	KB   float64
}

// ReadBreakdown reads pid's resident pages of exe, the file it runs. A binary
// built with -ldflags -s has no symbol table: its functions are still named
// (from the pc-line table), its read-only data counts by section.
func ReadBreakdown(pid int, exe string) (Breakdown, error) {
	f, err := elf.Open(exe)
	if err != nil {
		return Breakdown{}, fmt.Errorf("read %s: %w", exe, err)
	}
	defer f.Close()
	ranges, err := symbolRanges(f)
	if err != nil {
		return Breakdown{}, fmt.Errorf("read the symbols of %s: %w", exe, err)
	}
	stat, err := os.Stat(exe)
	if err != nil {
		return Breakdown{}, err
	}
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return Breakdown{}, fmt.Errorf("read the mappings of process %d: %w", pid, err)
	}
	pagemap, err := os.Open(fmt.Sprintf("/proc/%d/pagemap", pid))
	if err != nil {
		return Breakdown{}, fmt.Errorf("read the page map of process %d: %w", pid, err)
	}
	defer pagemap.Close()
	sections, packages := map[string]float64{}, map[string]float64{}
	entry := make([]byte, 8)
	for _, line := range strings.Split(string(maps), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 6 || !sameFile(fields[5], stat) {
			continue
		}
		var lo, hi uint64
		if _, err := fmt.Sscanf(fields[0], "%x-%x", &lo, &hi); err != nil {
			return Breakdown{}, fmt.Errorf("process %d: mapping %q: %w", pid, fields[0], err)
		}
		for page := lo; page < hi; page += pageSize {
			if _, err := pagemap.ReadAt(entry, int64(page/pageSize*8)); err != nil {
				return Breakdown{}, fmt.Errorf("process %d: page map at %#x: %w", pid, page, err)
			}
			if binary.LittleEndian.Uint64(entry)&(1<<63) == 0 {
				continue // not present
			}
			sections[sectionName(f, page)] += pageSize / 1024
			covered := uint64(0)
			i := sort.Search(len(ranges), func(i int) bool { return ranges[i].hi > page })
			for ; i < len(ranges) && ranges[i].lo < page+pageSize; i++ {
				a, b := max(ranges[i].lo, page), min(ranges[i].hi, page+pageSize)
				if b > a && covered < pageSize {
					n := min(b-a, pageSize-covered)
					packages[ranges[i].pkg] += float64(n) / 1024
					covered += n
				}
			}
			if covered < pageSize {
				packages["(no symbol) "+sectionName(f, page)] += float64(pageSize-covered) / 1024
			}
		}
	}
	return Breakdown{Sections: sortedShares(sections), Packages: sortedShares(packages)}, nil
}

const pageSize = 4096

// symbolRanges lists f's symbols by address with the package of each: from
// the symbol table when there is one, else the functions of the pc-line
// table, which every Go binary keeps.
func symbolRanges(f *elf.File) ([]symRange, error) {
	var ranges []symRange
	syms, err := f.Symbols()
	if err == nil {
		sort.Slice(syms, func(i, j int) bool { return syms[i].Value < syms[j].Value })
		for i, s := range syms {
			if s.Value == 0 || s.Section == elf.SHN_UNDEF || int(s.Section) >= len(f.Sections) {
				continue
			}
			size := s.Size
			if size == 0 && i+1 < len(syms) {
				size = syms[i+1].Value - s.Value // runtime.types and the like
			}
			ranges = append(ranges, symRange{lo: s.Value, hi: s.Value + size, pkg: symbolPackage(s.Name)})
		}
		return ranges, nil
	}
	pcln, text := f.Section(".gopclntab"), f.Section(".text")
	if pcln == nil || text == nil {
		return nil, errors.New("neither a symbol table nor a Go pc-line table")
	}
	data, err := pcln.Data()
	if err != nil {
		return nil, err
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return nil, err
	}
	for _, fn := range table.Funcs {
		ranges = append(ranges, symRange{lo: fn.Entry, hi: fn.End, pkg: symbolPackage(fn.Name)})
	}
	sort.Slice(ranges, func(i, j int) bool { return ranges[i].lo < ranges[j].lo })
	return ranges, nil
}

type symRange struct {
	lo, hi uint64
	pkg    string
}

// sameFile is true when a mapping's path is exe (a path in /proc/<pid>/maps
// may differ in spelling from the one the process was started with).
func sameFile(path string, exe os.FileInfo) bool {
	st, err := os.Stat(path)
	return err == nil && os.SameFile(st, exe)
}

func sectionName(f *elf.File, addr uint64) string {
	for _, s := range f.Sections {
		if s.Addr != 0 && addr >= s.Addr && addr < s.Addr+s.Size {
			return s.Name
		}
	}
	return "(between sections)"
}

// symbolPackage is the import path of a Go symbol such as
// github.com/a/b.(*T).M or net/http.init; the runtime's tables
// (runtime.pclntab, runtime.types) keep their own names.
func symbolPackage(name string) string {
	switch name {
	case "runtime.rodata", "runtime.types":
		// Both mark the start of the type descriptors, which have no
		// symbols of their own.
		return "runtime.types"
	case "runtime.pclntab", "runtime.itablink", "runtime.typelink", "runtime.findfunctab":
		return name
	}
	if strings.HasPrefix(name, "go:") || strings.HasPrefix(name, "type:") {
		return name
	}
	head := name
	if i := strings.IndexAny(head, "(["); i > 0 {
		head = head[:i]
	}
	slash := strings.LastIndex(head, "/")
	if dot := strings.Index(name[slash+1:], "."); dot >= 0 {
		// The linker writes a dot in a path's last element as %2e.
		return strings.ReplaceAll(name[:slash+1+dot], "%2e", ".")
	}
	return name
}

func sortedShares(m map[string]float64) []Share {
	out := make([]Share, 0, len(m))
	for k, v := range m {
		out = append(out, Share{Name: k, KB: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].KB != out[j].KB {
			return out[i].KB > out[j].KB
		}
		return out[i].Name < out[j].Name
	})
	return out
}
