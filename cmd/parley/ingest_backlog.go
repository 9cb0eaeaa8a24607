package main

// defaultIngestBacklog is a few seconds of applying on a small machine:
// enough to take a burst of callbacks at the speed of storing them, little
// enough that pages are never long behind.
const defaultIngestBacklog = 10_000

// maxIngestBacklog bounds the setting; the backlog's sessions are held in
// memory.
const maxIngestBacklog = 1_000_000
