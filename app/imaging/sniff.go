package imaging

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/webp"
)

// Content types this package accepts and produces.
const (
	typePNG  = "image/png"
	typeJPEG = "image/jpeg"
	typeWebP = "image/webp"
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// Sniff tells the type of an image from its first bytes (12 are enough): "image/png",
// "image/jpeg" or "image/webp". It looks at magic bytes only; whether the rest of the file is
// valid is for Process to find out.
func Sniff(header []byte) (contentType string, ok bool) {
	switch {
	case bytes.HasPrefix(header, pngSignature):
		return typePNG, true
	case len(header) >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF:
		return typeJPEG, true
	case len(header) >= 12 && string(header[0:4]) == "RIFF" && string(header[8:12]) == "WEBP":
		return typeWebP, true
	}
	return "", false
}

// source is an upload whose type and header have been checked, not yet decoded.
type source struct {
	data        []byte
	typ         string
	cfg         image.Config
	orientation int  // EXIF orientation, 1..8
	progressive bool // a progressive JPEG
}

func (s *source) pixels() int64 { return int64(s.cfg.Width) * int64(s.cfg.Height) }

// weight is what s counts against the pixel budget: its pixels, scaled by how much more
// memory than a baseline JPEG (1.5 bytes a pixel decoded, some 4 in all at the peak) it
// needs. Measured on 12 MP: baseline 57 MB allocated in all, progressive 128 MB.
func (s *source) weight() int64 {
	f := 1.0
	switch {
	case s.progressive:
		f = 2.5 // the decoder keeps 6 bytes of coefficients a pixel until the last scan
	case s.typ != typeJPEG:
		f = 2 // PNG and lossless WebP decode to 4 bytes a pixel or more
	}
	if s.orientation > 1 {
		f++ // the turned copy (1.5 bytes a pixel for YCbCr, 4 for the rest), a taller Display
	}
	return int64(float64(s.pixels()) * f)
}

// inspect checks an upload without decoding its pixels: the type by magic bytes, the
// dimensions from the header against lim.MaxPixels, and reads the EXIF orientation.
func inspect(data []byte, lim Limits) (*source, error) {
	typ, ok := Sniff(data)
	if !ok {
		return nil, ErrUnsupported
	}
	cfg, err := decodeConfig(typ, data)
	if err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrCorrupt, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: header says %dx%d", ErrCorrupt, cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > lim.MaxPixels {
		return nil, fmt.Errorf("%w: %dx%d is %d pixels, at most %d are accepted",
			ErrTooManyPixels, cfg.Width, cfg.Height, px, lim.MaxPixels)
	}
	return &source{
		data:        data,
		typ:         typ,
		cfg:         cfg,
		orientation: readOrientation(typ, data),
		progressive: typ == typeJPEG && jpegProgressive(data),
	}, nil
}

// The decoders are called by type, not through image.Decode, so that formats some other
// package registers (GIF, BMP, TIFF) are never reached with an upload.
func decodeConfig(typ string, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch typ {
	case typePNG:
		return png.DecodeConfig(r)
	case typeJPEG:
		return jpeg.DecodeConfig(r)
	case typeWebP:
		return webp.DecodeConfig(r)
	}
	return image.Config{}, ErrUnsupported
}

func decode(typ string, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch typ {
	case typePNG:
		return png.Decode(r)
	case typeJPEG:
		return jpeg.Decode(r)
	case typeWebP:
		return webp.Decode(r)
	}
	return nil, ErrUnsupported
}
