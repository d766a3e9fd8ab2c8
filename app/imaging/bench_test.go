package imaging

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

var (
	bench12MPOnce sync.Once
	bench12MP     []byte
)

// jpeg12MP is a 4000×3000 baseline JPEG at quality 90 with texture (about 3.9 MB), made once
// per test binary.
func jpeg12MP(tb testing.TB) []byte {
	bench12MPOnce.Do(func() { bench12MP = encodeJPEGBytes(tb, photo(4000, 3000), 90) })
	return bench12MP
}

// reportPerImage adds ms/img (wall) and cpu-ms/img (user+system CPU of the whole process)
// to a benchmark that processed images images since start and cpu0. CPU time is the figure
// to compare on a machine that others share: it grows little when the cores are contended.
func reportPerImage(b *testing.B, images int, start time.Time, cpu0 time.Duration) {
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(images), "ms/img")
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(images), "cpu-ms/img")
}

func BenchmarkProcess12MP(b *testing.B) {
	data := jpeg12MP(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		if _, err := Process(context.Background(), bytes.NewReader(data), DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
	reportPerImage(b, b.N, start, cpu0)
}

// BenchmarkProcess12MPParallel8 runs eight uploads at once per iteration, as eight requests
// would; ns/op and B/op are for all eight, ms/img for one.
func BenchmarkProcess12MPParallel8(b *testing.B) {
	data := jpeg12MP(b)
	b.SetBytes(8 * int64(len(data)))
	b.ReportAllocs()
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := Process(context.Background(), bytes.NewReader(data), DefaultLimits); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	reportPerImage(b, 8*b.N, start, cpu0)
}

// screenshot draws a w×h user interface: a light page, a header bar, cards with borders and
// rows of short dark strokes standing in for text.
func screenshot(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill := func(r image.Rectangle, c color.RGBA) {
		draw.Draw(img, r, &image.Uniform{c}, image.Point{}, draw.Src)
	}
	fill(img.Bounds(), color.RGBA{246, 247, 249, 255})
	fill(image.Rect(0, 0, w, 96), color.RGBA{0, 84, 147, 255})
	rng := rand.New(rand.NewPCG(7, 8))
	for y := 140; y+260 < h; y += 300 {
		for x := 60; x+560 < w; x += 620 {
			fill(image.Rect(x, y, x+560, y+260), color.RGBA{210, 214, 220, 255})
			fill(image.Rect(x+2, y+2, x+558, y+258), color.RGBA{255, 255, 255, 255})
			for line := y + 30; line+14 < y+240; line += 28 {
				for wx := x + 24; wx < x+520; {
					n := 20 + rng.IntN(70)
					fill(image.Rect(wx, line, min(wx+n, x+536), line+14), color.RGBA{40, 44, 52, 255})
					wx += n + 10
				}
			}
		}
	}
	return img
}

var (
	benchShotOnce sync.Once
	benchShot     []byte
)

// BenchmarkProcessScreenshotPNG is the common case: a 2560×1600 PNG screenshot.
func BenchmarkProcessScreenshotPNG(b *testing.B) {
	benchShotOnce.Do(func() { benchShot = encodePNGBytes(b, screenshot(2560, 1600)) })
	b.SetBytes(int64(len(benchShot)))
	b.ReportAllocs()
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		if _, err := Process(context.Background(), bytes.NewReader(benchShot), DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
	reportPerImage(b, b.N, start, cpu0)
}
