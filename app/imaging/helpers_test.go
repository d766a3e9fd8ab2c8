package imaging

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"
)

// photo draws a w×h picture with texture (gradients, rings, fine noise), so that encoders and
// resamplers work as hard as on a real photo and not on a flat colour.
func photo(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	cx, cy := float64(w)/3, float64(h)/2
	for y := range h {
		for x := range w {
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			ring := 40 * math.Sin(d/9)
			n := float64(rng.IntN(24)) - 12
			i := img.PixOffset(x, y)
			img.Pix[i+0] = clamp8(float64(x*200/w) + ring + n)
			img.Pix[i+1] = clamp8(float64(y*200/h) - ring + n)
			img.Pix[i+2] = clamp8(128 + ring*float64((x/64+y/64)%2) + n)
			img.Pix[i+3] = 255
		}
	}
	return img
}

// gradient is a cheap w×h picture (gradients and 8 px checks) for tests about sizes, not
// about compression.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			img.Pix[i+0] = uint8(x * 255 / w)
			img.Pix[i+1] = uint8(y * 255 / h)
			img.Pix[i+2] = uint8((x/8 + y/8) % 2 * 255)
			img.Pix[i+3] = 255
		}
	}
	return img
}

func clamp8(v float64) uint8 { return uint8(max(0, min(255, v))) }

func encodeJPEGBytes(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNGBytes(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cornerImage is w×h blue with a red square at the top left and a green one at the top right.
func cornerImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0, 0, 255, 255}
			if y < 10 && x < 10 {
				c = color.RGBA{255, 0, 0, 255}
			} else if y < 10 && x >= w-10 {
				c = color.RGBA{0, 255, 0, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// tiffEntry is one IFD entry of the EXIF blocks the tests write.
type tiffEntry struct {
	tag, typ uint16
	count    uint32
	value    []byte // inline when at most 4 bytes, else stored after the IFDs
}

// exifBlock builds a big-endian TIFF structure ("MM") with IFD0 and, when gps is not empty,
// a GPS IFD that IFD0 points to (tag 0x8825).
func exifBlock(ifd0, gps []tiffEntry) []byte {
	be := binary.BigEndian
	if len(gps) > 0 {
		ifd0 = append(ifd0, tiffEntry{0x8825, 4, 1, make([]byte, 4)})
	}
	ifdLen := func(n int) int { return 2 + 12*n + 4 }
	off0 := 8
	offGPS := off0 + ifdLen(len(ifd0))
	dataOff := offGPS
	if len(gps) > 0 {
		dataOff += ifdLen(len(gps))
		be.PutUint32(ifd0[len(ifd0)-1].value, uint32(offGPS))
	}
	out := []byte("MM\x00\x2a")
	out = be.AppendUint32(out, uint32(off0))
	var extra []byte
	writeIFD := func(es []tiffEntry) {
		out = be.AppendUint16(out, uint16(len(es)))
		for _, e := range es {
			out = be.AppendUint16(out, e.tag)
			out = be.AppendUint16(out, e.typ)
			out = be.AppendUint32(out, e.count)
			if len(e.value) <= 4 {
				out = append(out, e.value...)
				out = append(out, make([]byte, 4-len(e.value))...)
			} else {
				out = be.AppendUint32(out, uint32(dataOff+len(extra)))
				extra = append(extra, e.value...)
			}
		}
		out = be.AppendUint32(out, 0)
	}
	writeIFD(ifd0)
	if len(gps) > 0 {
		writeIFD(gps)
	}
	return append(out, extra...)
}

func orientationEntry(o uint16) tiffEntry {
	return tiffEntry{0x0112, 3, 1, binary.BigEndian.AppendUint16(nil, o)}
}

func asciiEntry(tag uint16, s string) tiffEntry {
	return tiffEntry{tag, 2, uint32(len(s) + 1), append([]byte(s), 0)}
}

// withJPEGExif inserts an APP1 Exif segment holding tiff right after the SOI marker.
func withJPEGExif(t testing.TB, jpg, tiff []byte) []byte {
	t.Helper()
	payload := append([]byte("Exif\x00\x00"), tiff...)
	if len(payload)+2 > 0xFFFF {
		t.Fatal("EXIF block too long for one segment")
	}
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// jpegSegments lists the markers of the segments before the first scan.
func jpegSegments(t testing.TB, jpg []byte) []byte {
	t.Helper()
	var markers []byte
	for i := 2; i+4 <= len(jpg); {
		m := jpg[i+1]
		markers = append(markers, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(jpg[i+2:]))
	}
	return markers
}
