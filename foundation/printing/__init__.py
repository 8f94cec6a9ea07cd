"""Printing on paper: Khmer type shaped by HarfBuzz for reportlab, and QR codes drawn as vector squares."""
