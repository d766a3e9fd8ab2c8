package imaging

import (
	"bytes"
	"encoding/binary"
	"image"

	dimg "github.com/disintegration/imaging"
)

// readOrientation returns the EXIF orientation (1..8) of an upload, or 1 when it has none.
// It looks where each format keeps EXIF: a JPEG APP1 "Exif" segment before the scan, a WebP
// "EXIF" chunk, a PNG "eXIf" chunk before the image data. Only the one tag is read, with every
// offset checked, so a hostile EXIF block can make it return 1 but not fail.
func readOrientation(typ string, data []byte) int {
	var tiff []byte
	switch typ {
	case typeJPEG:
		tiff = jpegExif(data)
	case typeWebP:
		tiff = webpExif(data)
	case typePNG:
		tiff = pngExif(data)
	}
	return tiffOrientation(bytes.TrimPrefix(tiff, []byte("Exif\x00\x00")))
}

func jpegExif(data []byte) (exif []byte) {
	walkJPEG(data, func(marker byte, payload []byte) bool {
		if marker == 0xE1 && bytes.HasPrefix(payload, []byte("Exif\x00\x00")) {
			exif = payload
			return false
		}
		return true
	})
	return exif
}

// walkJPEG calls fn for each marker segment before the first scan, until fn returns false.
// It stops at the first thing that does not parse.
func walkJPEG(data []byte, fn func(marker byte, payload []byte) bool) {
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD8: // no length
			i += 2
			continue
		case marker == 0xDA || marker == 0xD9: // start of scan, end of image
			return
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return
		}
		if !fn(marker, data[i+4:i+2+n]) {
			return
		}
		i += 2 + n
	}
}

// jpegProgressive tells whether the frame header is that of a progressive JPEG (SOF2, SOF6,
// SOF10, SOF14), whose decoder holds every coefficient until the last scan.
func jpegProgressive(data []byte) (progressive bool) {
	walkJPEG(data, func(marker byte, _ []byte) bool {
		if marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
			progressive = marker&0x03 == 0x02
			return false
		}
		return true
	})
	return progressive
}

func webpExif(data []byte) []byte {
	for i := 12; i+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || n > len(data)-i-8 {
			return nil
		}
		if string(data[i:i+4]) == "EXIF" {
			return data[i+8 : i+8+n]
		}
		i += 8 + n + n&1
	}
	return nil
}

func pngExif(data []byte) []byte {
	for i := len(pngSignature); i+8 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		if n < 0 || n > len(data)-i-12 {
			return nil
		}
		switch string(data[i+4 : i+8]) {
		case "eXIf":
			return data[i+8 : i+8+n]
		case "IDAT": // eXIf after the image data is not to be honoured
			return nil
		}
		i += 12 + n
	}
	return nil
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF-structured EXIF block.
func tiffOrientation(b []byte) int {
	if len(b) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(b[2:]) != 42 {
		return 1
	}
	off := uint64(bo.Uint32(b[4:]))
	if off+2 > uint64(len(b)) {
		return 1
	}
	count := uint64(bo.Uint16(b[off:]))
	for i := range count {
		e := off + 2 + i*12
		if e+12 > uint64(len(b)) {
			return 1
		}
		entry := b[e : e+12]
		const tagOrientation, typeShort = 0x0112, 3
		if bo.Uint16(entry) != tagOrientation {
			continue
		}
		if bo.Uint16(entry[2:]) != typeShort || bo.Uint32(entry[4:]) != 1 {
			return 1
		}
		if v := int(bo.Uint16(entry[8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// orient turns img so that it shows upright, as EXIF orientation o asks; o == 1 returns img
// itself. A YCbCr image (JPEG, lossy WebP) is turned plane by plane and stays YCbCr, at 1.5
// bytes a pixel for 4:2:0 and with the encoders' fast path; anything else goes through the
// transforms of disintegration/imaging, which return *image.NRGBA.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	if m, ok := img.(*image.YCbCr); ok {
		if t, ok := turnYCbCr(m, o); ok {
			return t
		}
	}
	switch o {
	case 2:
		return dimg.FlipH(img)
	case 3:
		return dimg.Rotate180(img)
	case 4:
		return dimg.FlipV(img)
	case 5:
		return dimg.Transpose(img)
	case 6:
		return dimg.Rotate270(img) // 90° clockwise; imaging counts counter-clockwise
	case 7:
		return dimg.Transverse(img)
	default:
		return dimg.Rotate90(img)
	}
}

// turnYCbCr applies orientation o (2..8) to m. Orientations 5 to 8 swap the axes, so 4:2:2
// becomes 4:4:0 and back; 4:1:1 and 4:1:0 have no such counterpart and are not handled
// (ok is false). With an odd width or height the chroma of the last half-block may move by
// one luma pixel, below what subsampling already blurs.
func turnYCbCr(m *image.YCbCr, o int) (turned *image.YCbCr, ok bool) {
	b := m.Bounds()
	if b.Min != (image.Point{}) {
		return nil, false
	}
	w, h := b.Dx(), b.Dy()
	cw, ch := w, h // chroma plane size
	ratio := m.SubsampleRatio
	switch ratio {
	case image.YCbCrSubsampleRatio444:
	case image.YCbCrSubsampleRatio420:
		cw, ch = (w+1)/2, (h+1)/2
	case image.YCbCrSubsampleRatio422:
		cw = (w + 1) / 2
	case image.YCbCrSubsampleRatio440:
		ch = (h + 1) / 2
	default:
		return nil, false
	}
	tw, th := w, h
	if o >= 5 {
		tw, th = h, w
		switch ratio {
		case image.YCbCrSubsampleRatio422:
			ratio = image.YCbCrSubsampleRatio440
		case image.YCbCrSubsampleRatio440:
			ratio = image.YCbCrSubsampleRatio422
		}
	}
	t := image.NewYCbCr(image.Rect(0, 0, tw, th), ratio)
	turnPlane(t.Y, t.YStride, m.Y, m.YStride, w, h, o)
	turnPlane(t.Cb, t.CStride, m.Cb, m.CStride, cw, ch, o)
	turnPlane(t.Cr, t.CStride, m.Cr, m.CStride, cw, ch, o)
	return t, true
}

// turnPlane copies the w×h plane src into dst, turned as orientation o says. Source pixel
// (x, y) lands at dst index base + x*dx + y*dy.
func turnPlane(dst []byte, ds int, src []byte, ss, w, h, o int) {
	var base, dx, dy int
	switch o {
	case 2: // mirror left-right
		base, dx, dy = w-1, -1, ds
	case 3: // turn 180°
		base, dx, dy = (w-1)+(h-1)*ds, -1, -ds
	case 4: // mirror top-bottom
		base, dx, dy = (h-1)*ds, 1, -ds
	case 5: // transpose
		base, dx, dy = 0, ds, 1
	case 6: // turn 90° clockwise
		base, dx, dy = h-1, ds, -1
	case 7: // transverse
		base, dx, dy = (h-1)+(w-1)*ds, -ds, -1
	case 8: // turn 90° counter-clockwise
		base, dx, dy = (w-1)*ds, -ds, 1
	}
	for y := range h {
		row := src[y*ss : y*ss+w]
		d := base + y*dy
		for _, v := range row {
			dst[d] = v
			d += dx
		}
	}
}
