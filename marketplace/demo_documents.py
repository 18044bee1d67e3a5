"""Source documents for the demo's data-entry job: invoices as PDFs and a scanned page.

Made here, byte for byte, so the demo needs no image or PDF library and is the same
every time.
"""

import struct
import zlib


def invoice_pdf(invoice: dict) -> bytes:
    """A one-page PDF of a supplier invoice, its text in Helvetica."""
    lines = [
        (18, invoice["supplier"]),
        (11, f"Invoice {invoice['invoice_number']}"),
        (11, f"Date: {invoice['invoice_date']}"),
        (11, ""),
        (11, f"Net amount:   {invoice['net']:.2f} GBP"),
        (11, f"VAT {invoice['vat_rate']}%:      {invoice['vat']:.2f} GBP"),
        (11, f"Total due:    {invoice['gross']:.2f} GBP"),
        (9, ""),
        (9, "Payment within 30 days to the account on file. Thank you for your business."),
    ]
    text = ["BT", "72 770 Td"]
    for size, line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text += [f"/F1 {size} Tf", f"({escaped}) Tj", f"0 -{size + 9} Td"]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def scanned_form_png(width: int = 620, height: int = 877) -> bytes:
    """A greyscale 'scan' of a paper form: an off-white page with its boxes and rules."""
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            shade = 238 + (x * 7 + y * 13) % 9  # the paper's grain
            in_box = 60 <= x <= width - 60 and 120 <= y <= 520
            if in_box and (x in (60, width - 60) or y in (120, 520) or (y - 120) % 50 == 0):
                shade = 40
            elif 60 <= x <= width - 60 and y in (60, 61, 600, 640, 680):
                shade = 70
            row.append(shade)
        rows.append(b"\x00" + bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
