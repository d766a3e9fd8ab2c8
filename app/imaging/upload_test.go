package imaging

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"
)

// A JPEG whose frame header comes after more than firstRead bytes of APPn segments (large
// ICC profiles do this) is read further until its header is complete.
func TestJPEGHeaderBeyondFirstRead(t *testing.T) {
	in := withJPEGExif(t, encodeJPEGBytes(t, cornerImage(40, 20), 95), exifBlock([]tiffEntry{orientationEntry(6)}, nil))
	for range 3 {
		in = insertJPEGSegment(in, 0xE2, bytes.Repeat([]byte{'i'}, 60_000))
	}
	if sof := bytes.Index(in, []byte{0xFF, 0xC0}); sof < firstRead {
		t.Fatalf("frame header at %d, want it past %d", sof, firstRead)
	}
	res, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if res.Original.Width != 20 || res.Original.Height != 40 {
		t.Errorf("got %dx%d, want 20x40", res.Original.Width, res.Original.Height)
	}
	bomb := append(in[:2:2], insertJPEGSegment(jpegHeaderOnly(60000, 60000), 0xE2, bytes.Repeat([]byte{'i'}, 65_000))[2:]...)
	bomb = insertJPEGSegment(bomb, 0xE2, bytes.Repeat([]byte{'i'}, 65_000))
	if _, err := Process(context.Background(), bytes.NewReader(bomb), DefaultLimits); !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("bomb behind large segments: err = %v, want ErrTooManyPixels", err)
	}
}

// A bomb is refused from its header: the rest of the stream, however long, is not read.
func TestBombRefusedWithoutReadingTheRest(t *testing.T) {
	endless := &countingReader{}
	r := io.MultiReader(bytes.NewReader(pngHeaderOnly(100000, 100000)), endless)
	if _, err := Process(context.Background(), r, DefaultLimits); !errors.Is(err, ErrTooManyPixels) {
		t.Fatalf("err = %v, want ErrTooManyPixels", err)
	}
	if endless.n > firstRead {
		t.Errorf("read %d bytes past the header", endless.n)
	}
}

// WebP keeps EXIF after the image data; with enough data in between it is past the header
// read, and must still be found.
func TestWebPExifAfterLargeImageData(t *testing.T) {
	b, err := os.ReadFile("testdata/lossy-exif6.webp")
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(b, []byte("EXIF"))
	pad := binary.LittleEndian.AppendUint32([]byte("XPAD"), 200_000)
	pad = append(pad, make([]byte, 200_000)...)
	in := append(append(append([]byte{}, b[:at]...), pad...), b[at:]...)
	binary.LittleEndian.PutUint32(in[4:], uint32(len(in)-8))
	res, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if res.Original.Width != 32 || res.Original.Height != 64 {
		t.Errorf("got %dx%d, want 32x64: the EXIF orientation was missed", res.Original.Width, res.Original.Height)
	}
}

// Readers that do not tell their size are read all the same, in growing steps.
func TestUploadOfUnknownSize(t *testing.T) {
	in := encodeJPEGBytes(t, photo(900, 300), 90)
	res, err := Process(context.Background(), io.MultiReader(bytes.NewReader(in[:1000]), bytes.NewReader(in[1000:])), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if res.Original.Width != 900 {
		t.Errorf("width %d, want 900", res.Original.Width)
	}
	if _, err := Process(context.Background(), io.MultiReader(bytes.NewReader(in)), Limits{MaxBytes: int64(len(in) - 1)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("one byte over, size unknown: err = %v, want ErrTooLarge", err)
	}
}
