package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// upload reads an upload in two steps: first only as far as its header needs, so that a
// refused one costs little and one that waits for its turn at the pixel budget holds a few
// kilobytes, not megabytes; then, once it has its turn, to the end. Never more than limit+1
// bytes of r are read, so an over-size stream is found out without reading all of it.
type upload struct {
	r     *io.LimitedReader
	size  int64 // what r says its length is, or 0
	limit int64
	buf   bytes.Buffer
	eof   bool
}

// firstRead is how much is read for the header; it is read again, four times as much each
// time, while a JPEG's header (after large EXIF, ICC or XMP segments) is not complete.
const firstRead = 64 << 10

func newUpload(r io.Reader, limit int64) *upload {
	u := &upload{r: &io.LimitedReader{R: r, N: limit + 1}, limit: limit}
	switch v := r.(type) {
	case interface{ Len() int }:
		u.size = int64(v.Len())
	case interface{ Size() int64 }:
		u.size = v.Size()
	}
	u.size = min(max(u.size, 0), limit+1)
	return u
}

// inspect reads as much of the upload as its header needs and checks it (see inspect).
func (u *upload) inspect(lim Limits) (*source, error) {
	for want := int64(firstRead); ; want *= 4 {
		if err := u.fill(want); err != nil {
			return nil, err
		}
		src, err := inspect(u.buf.Bytes(), lim)
		if err == nil || u.eof || !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return src, err
		}
	}
}

// rest reads the upload to its end and returns all of it.
func (u *upload) rest() ([]byte, error) {
	if u.size > int64(u.buf.Len()) {
		u.buf.Grow(int(u.size) - u.buf.Len() + bytes.MinRead)
	}
	if err := u.fill(u.limit + 1); err != nil {
		return nil, err
	}
	return u.buf.Bytes(), nil
}

// fill reads until the buffer holds n bytes or r ends.
func (u *upload) fill(n int64) error {
	if u.eof || int64(u.buf.Len()) >= n {
		return nil
	}
	if u.buf.Cap() == 0 {
		u.buf.Grow(int(min(n, max(u.size, 512))) + bytes.MinRead)
	}
	want := n - int64(u.buf.Len())
	got, err := u.buf.ReadFrom(io.LimitReader(u.r, want))
	if err != nil {
		return fmt.Errorf("imaging: read upload: %w", err)
	}
	if int64(u.buf.Len()) > u.limit {
		return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, u.limit)
	}
	u.eof = got < want
	return nil
}
