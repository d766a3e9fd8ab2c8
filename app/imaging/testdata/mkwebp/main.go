// Makes the source pictures and the EXIF block for app/imaging/testdata.
package main

import (
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
)

func corners(w, h int, bg color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := bg
			if y < 16 && x < 16 {
				c = color.NRGBA{255, 0, 0, 255}
			} else if y < 16 && x >= w-16 {
				c = color.NRGBA{0, 255, 0, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func save(name string, img image.Image) {
	f, _ := os.Create(name)
	png.Encode(f, img)
	f.Close()
}

func main() {
	save("opaque.png", corners(64, 32, color.NRGBA{0, 0, 255, 255}))
	save("alpha.png", corners(64, 32, color.NRGBA{0, 0, 255, 128}))
	// Big-endian TIFF: IFD0 {Orientation=6, ImageDescription, GPS pointer}, GPS IFD {GPSLatitudeRef "N", GPSAreaInformation marker}
	be := binary.BigEndian
	marker := "WERKSTATT-WEBP-GPS-MARKER"
	desc := "WERKSTATT-WEBP-DESC-MARKER"
	b := []byte("MM\x00\x2a\x00\x00\x00\x08")
	// IFD0 at 8: 3 entries -> 2+36+4 = 42 bytes, ends at 50. GPS IFD at 50: 2 entries -> 2+24+4=30, ends at 80. data at 80.
	descOff := 80
	markOff := descOff + len(desc) + 1
	b = be.AppendUint16(b, 3)
	b = be.AppendUint16(b, 0x010E)
	b = be.AppendUint16(b, 2)
	b = be.AppendUint32(b, uint32(len(desc)+1))
	b = be.AppendUint32(b, uint32(descOff))
	b = be.AppendUint16(b, 0x0112)
	b = be.AppendUint16(b, 3)
	b = be.AppendUint32(b, 1)
	b = be.AppendUint16(b, 6)
	b = be.AppendUint16(b, 0)
	b = be.AppendUint16(b, 0x8825)
	b = be.AppendUint16(b, 4)
	b = be.AppendUint32(b, 1)
	b = be.AppendUint32(b, 50)
	b = be.AppendUint32(b, 0)
	b = be.AppendUint16(b, 2)
	b = be.AppendUint16(b, 0x0001)
	b = be.AppendUint16(b, 2)
	b = be.AppendUint32(b, 2)
	b = append(b, 'N', 0, 0, 0)
	b = be.AppendUint16(b, 0x001C)
	b = be.AppendUint16(b, 7)
	b = be.AppendUint32(b, uint32(len(marker)))
	b = be.AppendUint32(b, uint32(markOff))
	b = be.AppendUint32(b, 0)
	if len(b) != 80 {
		panic(len(b))
	}
	b = append(b, desc...)
	b = append(b, 0)
	b = append(b, marker...)
	os.WriteFile("exif6.bin", b, 0o644)
}
