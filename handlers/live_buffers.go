package handlers

import (
	"bufio"
	"bytes"
	"io"
	"net"

	"github.com/gin-gonic/gin"
)

// Buffer sizes of a live connection. net/http hands a hijacked connection
// 4 KB to read and 4 KB to write, kept as long as the page is open; a live
// page only reads pongs and a close from the browser, and its updates are
// written rarely, so small buffers cost a syscall more now and then and save
// most of an idle connection's memory.
const (
	liveReadBuffer  = 512
	liveWriteBuffer = 2 << 10
)

// smallBuffers gives the websocket library the live connection's own, small
// buffers when it hijacks the connection; the rest of the writer is gin's.
type smallBuffers struct {
	gin.ResponseWriter
}

// Hijack hands over the connection with what the client already sent still
// to be read, and net/http's buffers left to be collected.
func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := w.ResponseWriter.Hijack()
	if err != nil {
		return nil, nil, err
	}
	var r io.Reader = conn
	if n := brw.Reader.Buffered(); n > 0 {
		early, _ := brw.Reader.Peek(n)
		r = io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn)
	}
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(r, liveReadBuffer), bufio.NewWriterSize(conn, liveWriteBuffer)), nil
}
