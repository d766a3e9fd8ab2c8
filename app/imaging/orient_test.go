package imaging

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"testing"
)

// decodeVariant decodes v with the decoder its ContentType names and checks its size.
func decodeVariant(t *testing.T, v Variant) image.Image {
	t.Helper()
	var img image.Image
	var err error
	switch v.ContentType {
	case "image/jpeg":
		img, err = jpeg.Decode(bytes.NewReader(v.Data))
	case "image/png":
		img, err = png.Decode(bytes.NewReader(v.Data))
	default:
		t.Fatalf("content type %q", v.ContentType)
	}
	if err != nil {
		t.Fatalf("decode %s: %v", v.ContentType, err)
	}
	if b := img.Bounds(); b.Dx() != v.Width || b.Dy() != v.Height {
		t.Fatalf("variant says %dx%d, data is %dx%d", v.Width, v.Height, b.Dx(), b.Dy())
	}
	return img
}

// colourAt names the dominant colour ("red", "green", "blue") around (x, y).
func colourAt(img image.Image, x, y int) string {
	r, g, b, _ := img.At(img.Bounds().Min.X+x, img.Bounds().Min.Y+y).RGBA()
	switch {
	case r > 2*g && r > 2*b:
		return "red"
	case g > 2*r && g > 2*b:
		return "green"
	case b > 2*r && b > 2*g:
		return "blue"
	}
	return "mixed"
}

type corner int

const (
	topLeft corner = iota
	topRight
	bottomLeft
	bottomRight
)

// cornerColour samples 3 px in from the corner c of img.
func cornerColour(img image.Image, c corner) string {
	b := img.Bounds()
	x, y := 3, 3
	if c == topRight || c == bottomRight {
		x = b.Dx() - 4
	}
	if c == bottomLeft || c == bottomRight {
		y = b.Dy() - 4
	}
	return colourAt(img, x, y)
}

// The stored picture has red at the top left and green at the top right; each EXIF
// orientation says how the camera held it, so where the corners must end up is fixed.
var orientationCases = []struct {
	orientation uint16
	w, h        int
	red, green  corner
}{
	{1, 40, 20, topLeft, topRight},
	{2, 40, 20, topRight, topLeft},
	{3, 40, 20, bottomRight, bottomLeft},
	{4, 40, 20, bottomLeft, bottomRight},
	{5, 20, 40, topLeft, bottomLeft},
	{6, 20, 40, topRight, bottomRight},
	{7, 20, 40, bottomRight, topRight},
	{8, 20, 40, bottomLeft, topLeft},
}

func TestJPEGOrientationApplied(t *testing.T) {
	plain := encodeJPEGBytes(t, cornerImage(40, 20), 95)
	for _, tc := range orientationCases {
		in := withJPEGExif(t, plain, exifBlock([]tiffEntry{orientationEntry(tc.orientation)}, nil))
		res, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits)
		if err != nil {
			t.Fatalf("orientation %d: %v", tc.orientation, err)
		}
		for name, v := range map[string]Variant{"original": res.Original, "display": res.Display, "thumbnail": res.Thumbnail} {
			img := decodeVariant(t, v)
			if v.Width != tc.w || v.Height != tc.h {
				t.Errorf("orientation %d %s: %dx%d, want %dx%d", tc.orientation, name, v.Width, v.Height, tc.w, tc.h)
			}
			if got := cornerColour(img, tc.red); got != "red" {
				t.Errorf("orientation %d %s: corner %d is %s, want red", tc.orientation, name, tc.red, got)
			}
			if got := cornerColour(img, tc.green); got != "green" {
				t.Errorf("orientation %d %s: corner %d is %s, want green", tc.orientation, name, tc.green, got)
			}
		}
	}
}

func TestLittleEndianOrientationRead(t *testing.T) {
	le := []byte("II\x2a\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00\x00")
	if got := tiffOrientation(le); got != 6 {
		t.Fatalf("little-endian orientation = %d, want 6", got)
	}
	for _, bad := range [][]byte{nil, le[:12], []byte("XX\x2a\x00\x08\x00\x00\x00"), []byte("II\x2a\x00\xff\xff\xff\xff")} {
		if got := tiffOrientation(bad); got != 1 {
			t.Errorf("tiffOrientation(%q) = %d, want 1", bad, got)
		}
	}
}

func TestWebPOrientationApplied(t *testing.T) {
	res := processFile(t, "testdata/lossy-exif6.webp")
	img := decodeVariant(t, res.Original)
	if res.Original.Width != 32 || res.Original.Height != 64 {
		t.Fatalf("got %dx%d, want 32x64", res.Original.Width, res.Original.Height)
	}
	if got := cornerColour(img, topRight); got != "red" {
		t.Errorf("top right is %s, want red", got)
	}
	if got := cornerColour(img, bottomRight); got != "green" {
		t.Errorf("bottom right is %s, want green", got)
	}
}

func TestPNGOrientationApplied(t *testing.T) {
	in := withPNGChunks(t, encodePNGBytes(t, cornerImage(40, 20)),
		pngChunk("eXIf", exifBlock([]tiffEntry{orientationEntry(8)}, nil)))
	res, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	img := decodeVariant(t, res.Original)
	if res.Original.Width != 20 || res.Original.Height != 40 || cornerColour(img, bottomLeft) != "red" {
		t.Fatalf("got %dx%d with %s at the bottom left, want 20x40 with red",
			res.Original.Width, res.Original.Height, cornerColour(img, bottomLeft))
	}
}

func processFile(t *testing.T, name string) *Result {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Process(context.Background(), f, DefaultLimits)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// pngChunk encodes one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
}

// withPNGChunks inserts chunks right after IHDR (signature 8 bytes + IHDR 25 bytes).
func withPNGChunks(t testing.TB, p []byte, chunks ...[]byte) []byte {
	t.Helper()
	if string(p[12:16]) != "IHDR" {
		t.Fatal("not a PNG")
	}
	out := append([]byte{}, p[:33]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, p[33:]...)
}

// The plane-by-plane turn of YCbCr images must give the same pixels as the general transforms
// of disintegration/imaging, for every orientation and every subsampling it handles.
func TestTurnYCbCrMatchesGeneralTransforms(t *testing.T) {
	ratios := map[string]image.YCbCrSubsampleRatio{
		"444": image.YCbCrSubsampleRatio444, "422": image.YCbCrSubsampleRatio422,
		"420": image.YCbCrSubsampleRatio420, "440": image.YCbCrSubsampleRatio440,
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for name, ratio := range ratios {
		m := image.NewYCbCr(image.Rect(0, 0, 12, 8), ratio)
		for _, p := range [][]byte{m.Y, m.Cb, m.Cr} {
			for i := range p {
				p[i] = byte(16 + rng.IntN(220))
			}
		}
		for o := 2; o <= 8; o++ {
			got, ok := turnYCbCr(m, o)
			if !ok {
				t.Fatalf("%s: orientation %d not handled", name, o)
			}
			want := orient(image.Image(&struct{ image.Image }{m}), o) // hides the YCbCr type
			if got.Bounds() != want.Bounds() {
				t.Fatalf("%s o=%d: bounds %v, want %v", name, o, got.Bounds(), want.Bounds())
			}
			for y := range got.Bounds().Dy() {
				for x := range got.Bounds().Dx() {
					if !nearColour(got.At(x, y), want.At(x, y)) {
						t.Fatalf("%s o=%d: (%d,%d) is %v, want %v", name, o, x, y, got.At(x, y), want.At(x, y))
					}
				}
			}
		}
	}
	if _, ok := turnYCbCr(image.NewYCbCr(image.Rect(0, 0, 8, 8), image.YCbCrSubsampleRatio411), 6); ok {
		t.Error("4:1:1 cannot be transposed and must take the general path")
	}
}

func nearColour(a, b color.Color) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	near := func(x, y uint32) bool { return x>>8 <= y>>8+1 && y>>8 <= x>>8+1 }
	return near(ar, br) && near(ag, bg) && near(ab, bb)
}
