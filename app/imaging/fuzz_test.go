package imaging

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSniffAndConfig feeds arbitrary bytes to everything that reads an upload before its
// pixels: Sniff, the header check, the EXIF orientation readers, and then (for images small
// enough to be cheap) the decode and encode steps. None may panic, and every refusal must be
// one of the package's errors.
func FuzzSniffAndConfig(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.webp")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add(pngHeaderOnly(100, 100))
	f.Add(jpegHeaderOnly(100, 100))
	f.Add(webpHeaderOnly(100, 100))
	f.Add(withJPEGExif(f, encodeJPEGBytes(f, cornerImage(40, 20), 80), exifBlock(
		[]tiffEntry{orientationEntry(6), asciiEntry(0x010E, "x")}, []tiffEntry{asciiEntry(1, "N")})))
	f.Add(withPNGChunks(f, encodePNGBytes(f, cornerImage(16, 16)),
		pngChunk("eXIf", exifBlock([]tiffEntry{orientationEntry(3)}, nil))))
	f.Add([]byte("II\x2a\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00"))

	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 16}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, typ := range []string{typePNG, typeJPEG, typeWebP} {
			if o := readOrientation(typ, data); o < 1 || o > 8 {
				t.Fatalf("orientation %d", o)
			}
		}
		if o := tiffOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
		typ, ok := Sniff(data)
		src, err := inspect(data, lim)
		switch {
		case !ok:
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("unsniffable input: err = %v", err)
			}
			return
		case err != nil:
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooManyPixels) {
				t.Fatalf("err = %v, want ErrCorrupt or ErrTooManyPixels", err)
			}
			return
		}
		if src.typ != typ || src.pixels() > lim.MaxPixels || src.pixels() < 1 {
			t.Fatalf("inspect let through %s %dx%d", src.typ, src.cfg.Width, src.cfg.Height)
		}
		g, err := acquire(context.Background(), src.weight())
		if err != nil {
			t.Fatal(err)
		}
		res, err := src.process(context.Background(), g)
		g.release()
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("process: err = %v, want ErrCorrupt", err)
			}
			return
		}
		if res.Thumbnail.Width > ThumbnailWidth || res.Display.Width > DisplayWidth || len(res.Original.Data) == 0 {
			t.Fatalf("variants %+v", res)
		}
	})
}
