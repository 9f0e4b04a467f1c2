"""xunpan (询盘): where B2B inquiries come from, what each channel costs per inquiry, which products pay."""

__version__ = "0.1.0"
