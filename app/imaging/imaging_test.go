package imaging

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"os"
	"testing"
	"time"
)

func TestSniff(t *testing.T) {
	webpHeader, err := os.ReadFile("testdata/lossless.webp")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, header, want string
	}{
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "image/png"},
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"},
		{"webp", string(webpHeader[:12]), "image/webp"},
		{"gif", "GIF89a\x01\x00\x01\x00", ""},
		{"wav in RIFF", "RIFF\x24\x00\x00\x00WAVEfmt ", ""},
		{"text", "<svg xmlns=", ""},
		{"short png", "\x89PNG", ""},
		{"empty", "", ""},
	} {
		got, ok := Sniff([]byte(tc.header))
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: Sniff = %q, %v; want %q", tc.name, got, ok, tc.want)
		}
	}
}

func TestWebPAccepted(t *testing.T) {
	for _, tc := range []struct {
		file, wantType string
		alpha          bool
	}{
		{"testdata/lossy.webp", "image/jpeg", false},
		{"testdata/lossless.webp", "image/png", false},
		{"testdata/lossy-alpha.webp", "image/png", true},
	} {
		res := processFile(t, tc.file)
		if res.SourceType != "image/webp" || res.Original.ContentType != tc.wantType {
			t.Errorf("%s: source %s, original %s; want image/webp, %s", tc.file, res.SourceType, res.Original.ContentType, tc.wantType)
		}
		img := decodeVariant(t, res.Original)
		if res.Original.Width != 64 || res.Original.Height != 32 || cornerColour(img, topLeft) != "red" || cornerColour(img, topRight) != "green" {
			t.Errorf("%s: %dx%d, corners %s/%s; want 64x32 red/green", tc.file, res.Original.Width, res.Original.Height,
				cornerColour(img, topLeft), cornerColour(img, topRight))
		}
		if _, _, _, a := img.At(32, 24).RGBA(); (a < 0xffff) != tc.alpha {
			t.Errorf("%s: alpha in the middle is %#x, want translucent %v", tc.file, a, tc.alpha)
		}
	}
}

func TestVariantSizes(t *testing.T) {
	for _, tc := range []struct {
		w, h               int
		displayW, displayH int
		thumbW, thumbH     int
	}{
		{3200, 800, 1600, 400, 400, 100},
		{2000, 1000, 1600, 800, 400, 200},
		{1000, 3000, 1000, 3000, 400, 1200},
		{1601, 1, 1600, 1, 400, 1},
		{1599, 999, 1599, 999, 400, 250},
		{300, 200, 300, 200, 300, 200},
	} {
		for _, format := range []string{"image/jpeg", "image/png"} {
			img := gradient(tc.w, tc.h)
			in := encodePNGBytes(t, img)
			if format == "image/jpeg" {
				in = encodeJPEGBytes(t, img, 90)
			}
			res, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits)
			if err != nil {
				t.Fatalf("%dx%d %s: %v", tc.w, tc.h, format, err)
			}
			want := []int{tc.w, tc.h, tc.displayW, tc.displayH, tc.thumbW, tc.thumbH}
			got := []int{res.Original.Width, res.Original.Height, res.Display.Width, res.Display.Height, res.Thumbnail.Width, res.Thumbnail.Height}
			if !equalInts(got, want) {
				t.Errorf("%dx%d %s: sizes %v, want %v", tc.w, tc.h, format, got, want)
			}
			for name, v := range allVariants(res) {
				decodeVariant(t, v)
				if v.ContentType != format {
					t.Errorf("%dx%d %s: %s is %s", tc.w, tc.h, format, name, v.ContentType)
				}
			}
			if tc.w <= DisplayWidth && res.Display.Hash != res.Original.Hash {
				t.Errorf("%dx%d: a display that needs no downscaling should be the original", tc.w, tc.h)
			}
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestHashStableAndTrue(t *testing.T) {
	in := encodeJPEGBytes(t, photo(1800, 900), 90)
	first, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range allVariants(first) {
		sum := sha256.Sum256(v.Data)
		if v.Hash != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: Hash is not the SHA-256 of Data", name)
		}
		if v.Hash != allVariants(second)[name].Hash {
			t.Errorf("%s: hash differs between two runs on the same input", name)
		}
	}
	if first.Original.Hash == first.Display.Hash || first.Display.Hash == first.Thumbnail.Hash {
		t.Error("variants of different sizes share a hash")
	}
	other := encodeJPEGBytes(t, photo(1800, 901), 90)
	third, err := Process(context.Background(), bytes.NewReader(other), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if third.Original.Hash == first.Original.Hash {
		t.Error("different images got the same hash")
	}
}

func TestContextRespected(t *testing.T) {
	in := encodePNGBytes(t, photo(100, 100))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Process(ctx, bytes.NewReader(in), DefaultLimits); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v, want context.Canceled", err)
	}

	// While the pixel budget is taken, a caller waits only as long as its context lets it.
	g, err := acquire(context.Background(), pixelBudget)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = Process(ctx, bytes.NewReader(in), DefaultLimits)
	g.release()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("budget taken: err = %v, want context.DeadlineExceeded", err)
	}
	if _, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func TestHugeImageDoesNotDeadlockTheBudget(t *testing.T) {
	g, err := acquire(context.Background(), 10*pixelBudget)
	if err != nil {
		t.Fatal(err)
	}
	g.keep(3)
	g.release()
	if !inFlight.TryAcquire(pixelBudget) {
		t.Fatal("the budget is not whole again after a grant was given back in two steps")
	}
	inFlight.Release(pixelBudget)
}

func TestGrayAndPalettedPNG(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 2000, 100))
	pal := image.NewPaletted(image.Rect(0, 0, 50, 40), color.Palette{color.Black, color.White})
	for name, img := range map[string]image.Image{"gray": gray, "paletted": pal} {
		res, err := Process(context.Background(), bytes.NewReader(encodePNGBytes(t, img)), DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, v := range allVariants(res) {
			decodeVariant(t, v)
		}
	}
}

func TestWeightFollowsMemoryNeed(t *testing.T) {
	prog, err := os.ReadFile("testdata/progressive.jpg")
	if err != nil {
		t.Fatal(err)
	}
	base := encodeJPEGBytes(t, cornerImage(64, 32), 90)
	turned := withJPEGExif(t, base, exifBlock([]tiffEntry{orientationEntry(6)}, nil))
	png := encodePNGBytes(t, cornerImage(64, 32))
	const px = 64 * 32
	for name, tc := range map[string]struct {
		data []byte
		want int64
	}{
		"baseline jpeg":    {base, px},
		"turned jpeg":      {turned, 2 * px},
		"progressive jpeg": {prog, px * 5 / 2},
		"png":              {png, 2 * px},
	} {
		src, err := inspect(tc.data, DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := src.weight(); got != tc.want {
			t.Errorf("%s: weight %d, want %d", name, got, tc.want)
		}
	}
	res, err := Process(context.Background(), bytes.NewReader(prog), DefaultLimits)
	if err != nil {
		t.Fatalf("progressive: %v", err)
	}
	if img := decodeVariant(t, res.Original); cornerColour(img, topLeft) != "red" {
		t.Error("progressive JPEG decoded wrongly")
	}
}
