// Package imaging is the upload pipeline for screenshots and other pictures that people upload.
//
// Process takes an untrusted byte stream and returns three re-encoded variants of it
// (Original, Display, Thumbnail). It detects the type from the content (PNG, JPEG, WebP),
// refuses streams over Limits.MaxBytes and images over Limits.MaxPixels before any pixel is
// decoded, decodes once, applies the EXIF orientation, and encodes anew, so no metadata (EXIF,
// GPS, XMP, ICC, comments, trailing data) of the upload survives. Decoding and encoding are done
// by the standard library (PNG, JPEG) and golang.org/x/image (WebP), resizing by
// github.com/disintegration/imaging; this package adds the checks, the reading of the one EXIF
// tag, turning by it, and a budget that bounds the memory all uploads in flight need together.
//
// What does not live here: storing the variants (app/storage), naming objects by hash, HTTP,
// and the messages people see. The package is a leaf: it imports nothing of ours.
package imaging

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
)

// Limits bound what Process accepts. A zero or negative field means the DefaultLimits value.
type Limits struct {
	MaxBytes  int64 // largest accepted upload, in bytes
	MaxPixels int64 // largest accepted width × height, checked from the header before decoding
}

// DefaultLimits are the limits of the product: 20 MB (decimal, as people read it) and 50
// megapixels.
var DefaultLimits = Limits{MaxBytes: 20_000_000, MaxPixels: 50_000_000}

// Widths of the derived variants; images already narrower are not enlarged.
const (
	DisplayWidth   = 1600
	ThumbnailWidth = 400
)

// Variant is one encoded image. Data may be shared between variants of one Result (when no
// downscaling was needed the Display is the Original), so callers must not modify it.
type Variant struct {
	Data        []byte
	ContentType string // "image/png" or "image/jpeg"
	Width       int
	Height      int
	Hash        string // hex SHA-256 of Data
}

// Result holds the variants made from one upload.
type Result struct {
	Original   Variant // full size, orientation applied, re-encoded without metadata
	Display    Variant // at most DisplayWidth wide
	Thumbnail  Variant // at most ThumbnailWidth wide
	SourceType string  // detected type of the upload: "image/png", "image/jpeg" or "image/webp"
}

// Errors returned by Process; test with errors.Is. The wrapped message is for logs only.
var (
	ErrTooLarge      = errors.New("imaging: file too large")
	ErrTooManyPixels = errors.New("imaging: image has too many pixels")
	ErrUnsupported   = errors.New("imaging: not a PNG, JPEG or WebP image")
	ErrCorrupt       = errors.New("imaging: image is damaged or truncated")
)

func (l Limits) orDefault() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultLimits.MaxPixels
	}
	return l
}

func newVariant(data []byte, contentType string, w, h int) Variant {
	sum := sha256.Sum256(data)
	return Variant{Data: data, ContentType: contentType, Width: w, Height: h, Hash: hex.EncodeToString(sum[:])}
}

// Process reads one upload from r and returns its variants, or one of the errors above,
// ctx.Err(), or a read error of r. It reads at most lim.MaxBytes+1 bytes of r.
//
// Process is safe for concurrent use. Calls take turns at the pixel work (see inFlight), so
// many uploads at once cost time rather than memory; a call waiting for its turn has read
// only the header of its upload, and reads the rest once it has its turn. So r should be
// quick to read, like a multipart.File or anything in memory or on a local disk, not a
// network stream, which would hold up the uploads behind it.
func Process(ctx context.Context, r io.Reader, lim Limits) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lim = lim.orDefault()
	in := newUpload(r, lim.MaxBytes)
	src, err := in.inspect(lim)
	if err != nil {
		return nil, err
	}
	g, err := acquire(ctx, src.weight())
	if err != nil {
		return nil, err
	}
	defer g.release()
	if src.data, err = in.rest(); err != nil {
		return nil, err
	}
	// A WebP keeps its EXIF chunk after the image data, past what the header check read.
	src.orientation = readOrientation(src.typ, src.data)
	return src.process(ctx, g)
}
