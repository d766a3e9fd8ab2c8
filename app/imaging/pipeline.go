package imaging

import (
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"runtime"
	"sync"

	dimg "github.com/disintegration/imaging"
	"golang.org/x/sync/semaphore"
)

// jpegQuality is used for every JPEG this package writes.
const jpegQuality = 85

// The pixel work is CPU-bound, and one upload already keeps two cores busy, so running more
// of it at once than that adds memory but no throughput. inFlight bounds the pixels being
// worked on across all Process calls to 8 megapixels per core (on two cores: one 12 MP photo,
// about 50 MB of buffers, or several screenshots); further calls wait in line, honouring
// their context. An image larger than the whole budget runs alone.
var (
	pixelBudget = int64(max(runtime.GOMAXPROCS(0), 1)) * 8_000_000
	inFlight    = semaphore.NewWeighted(pixelBudget)
)

// grant is a share of the pixel budget held by one upload.
type grant struct{ n int64 }

func acquire(ctx context.Context, weight int64) (*grant, error) {
	n := min(max(weight, 1), pixelBudget)
	if err := inFlight.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return &grant{n}, nil
}

// keep gives back all but the fraction 1/div of the grant, for when the largest buffers are
// gone and only the encoding of the Original is left, so the next upload can start decoding.
func (g *grant) keep(div int64) {
	k := max(g.n/div, 1)
	inFlight.Release(g.n - k)
	g.n = k
}

func (g *grant) release() {
	inFlight.Release(g.n)
	g.n = 0
}

// process decodes the checked upload once and derives the variants from the decoded image.
// The Original is encoded on a second goroutine while the Display and Thumbnail are made, so
// one upload keeps two cores busy; each large buffer is dropped once no step needs it, and
// most of the grant g is given back as soon as only the Original's encoding is left.
func (s *source) process(ctx context.Context, g *grant) (*Result, error) {
	img, err := decode(s.typ, s.data)
	s.data = nil
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if b := img.Bounds(); b.Dx() != s.cfg.Width || b.Dy() != s.cfg.Height {
		return nil, fmt.Errorf("%w: header says %dx%d, image is %dx%d",
			ErrCorrupt, s.cfg.Width, s.cfg.Height, b.Dx(), b.Dy())
	}
	// Lossy WebP without alpha decodes to YCbCr and is kept lossy; all else that is not a
	// JPEG (PNG, lossless WebP, WebP with alpha) is kept lossless.
	_, ycc := img.(*image.YCbCr)
	enc := encodePNG
	if s.typ == typeJPEG || s.typ == typeWebP && ycc {
		enc = encodeJPEG
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	img = orient(img, s.orientation)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	res := &Result{SourceType: s.typ}
	var origErr error
	origDone := make(chan struct{})
	go func(img image.Image) {
		defer close(origDone)
		res.Original, origErr = enc(img)
	}(img)
	display, thumb, err := derive(ctx, img, enc)
	img = nil
	// What is left is the decoded image, held by the Original's encoder: about a third of
	// the peak of a photo.
	g.keep(3)
	<-origDone
	if err != nil {
		return nil, err
	}
	if origErr != nil {
		return nil, origErr
	}
	// An image that needed no downscaling is its own Display (and Thumbnail): same bytes,
	// same hash, stored once.
	res.Display, res.Thumbnail = res.Original, res.Original
	if display != nil {
		res.Display, res.Thumbnail = *display, *display
	}
	if thumb != nil {
		res.Thumbnail = *thumb
	}
	return res, nil
}

// derive makes the Display and Thumbnail variants of img; a nil variant means that the larger
// one serves, because the image is narrow enough already.
func derive(ctx context.Context, img image.Image, enc func(image.Image) (Variant, error)) (display, thumb *Variant, err error) {
	if img.Bounds().Dx() > DisplayWidth {
		img = shrink(img, DisplayWidth)
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		v, err := enc(img)
		if err != nil {
			return nil, nil, err
		}
		display = &v
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if img.Bounds().Dx() > ThumbnailWidth {
		v, err := enc(shrink(img, ThumbnailWidth))
		if err != nil {
			return nil, nil, err
		}
		thumb = &v
	}
	return display, thumb, ctx.Err()
}

// shrink scales img down to width, keeping the aspect ratio. Catmull-Rom keeps screenshot text
// sharp; from twice the width on, the linear (tent) filter, stretched over the reduction as
// disintegration/imaging does, already averages enough pixels and costs 30% less time.
func shrink(img image.Image, width int) *image.NRGBA {
	b := img.Bounds()
	height := max(1, int((int64(b.Dy())*int64(width)+int64(b.Dx())/2)/int64(b.Dx())))
	filter := dimg.CatmullRom
	if b.Dx() >= 2*width {
		filter = dimg.Linear
	}
	return dimg.Resize(img, width, height, filter)
}

func encodeJPEG(img image.Image) (Variant, error) {
	// image/jpeg has fast paths for *image.YCbCr, *image.Gray and *image.RGBA only. A JPEG
	// target has no alpha, so the NRGBA that rotation and resizing return is handed over as
	// RGBA: the colour bytes are the same, the alpha byte is ignored by the encoder.
	if n, ok := img.(*image.NRGBA); ok {
		img = &image.RGBA{Pix: n.Pix, Stride: n.Stride, Rect: n.Rect}
	}
	var out chunkWriter
	defer out.free()
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return Variant{}, fmt.Errorf("imaging: encode jpeg: %w", err)
	}
	b := img.Bounds()
	return newVariant(out.bytes(), typeJPEG, b.Dx(), b.Dy()), nil
}

var pngEncoder = png.Encoder{CompressionLevel: png.DefaultCompression, BufferPool: &pngBuffers{}}

func encodePNG(img image.Image) (Variant, error) {
	var out chunkWriter
	defer out.free()
	if err := pngEncoder.Encode(&out, img); err != nil {
		return Variant{}, fmt.Errorf("imaging: encode png: %w", err)
	}
	b := img.Bounds()
	return newVariant(out.bytes(), typePNG, b.Dx(), b.Dy()), nil
}

// pngBuffers lets concurrent PNG encodings reuse the encoder's zlib state and row buffers.
type pngBuffers struct{ p sync.Pool }

func (b *pngBuffers) Get() *png.EncoderBuffer {
	v, _ := b.p.Get().(*png.EncoderBuffer)
	return v
}

func (b *pngBuffers) Put(v *png.EncoderBuffer) { b.p.Put(v) }

// chunkWriter collects an encoder's output in pooled chunks and hands it over as one slice of
// exactly the right size, so that a growing buffer neither copies megabytes on the way nor
// leaves the caller holding up to twice the capacity it needs.
type chunkWriter struct {
	chunks []*[]byte
	n      int
}

const chunkSize = 256 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, chunkSize); return &b }}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(w.chunks) == 0 || len(*w.chunks[len(w.chunks)-1]) == chunkSize {
			w.chunks = append(w.chunks, chunkPool.Get().(*[]byte))
		}
		c := w.chunks[len(w.chunks)-1]
		k := min(len(p), chunkSize-len(*c))
		*c = append(*c, p[:k]...)
		p = p[k:]
	}
	w.n += n
	return n, nil
}

func (w *chunkWriter) bytes() []byte {
	out := make([]byte, 0, w.n)
	for _, c := range w.chunks {
		out = append(out, *c...)
	}
	return out
}

func (w *chunkWriter) free() {
	for _, c := range w.chunks {
		*c = (*c)[:0]
		chunkPool.Put(c)
	}
	w.chunks = nil
}
