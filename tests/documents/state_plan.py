"""A commune People's Committee's plan signed by a deputy chairman in the three-line form;
its "Như trên" stands for the units the plan gives tasks to."""

from __future__ import annotations

AUTHORITY_LINES = ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")

STATE_PLAN = """\
ỦY BAN NHÂN DÂN XÃ HÀM LIÊM
Số: /KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hàm Liêm, ngày     tháng     năm 2026

KẾ HOẠCH

Tổ chức Ngày hội Đại đoàn kết toàn dân tộc năm 2026

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

a) phát huy truyền thống đại đoàn kết toàn dân tộc

b) nâng cao đời sống vật chất, tinh thần của Nhân dân

II. TỔ CHỨC THỰC HIỆN

1. Phòng Văn hóa - Xã hội chủ trì, phối hợp với Ban Nhân dân các thôn tổ chức Ngày hội.

2. Phòng Kinh tế bảo đảm kinh phí; Công an xã bảo đảm an ninh, trật tự./.

Nơi nhận:
- Như trên;
- Ủy ban nhân dân tỉnh (báo cáo);
- Ủy ban Mặt trận Tổ quốc Việt Nam xã;
- Lưu: VT, VP.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Lê Văn Phó
"""

# The address-book units (examples/ubnd-hamliem.toml) "Như trên" stands for: those the text names.
AS_ABOVE_UNITS = ("phong-vhxh", "thon", "phong-kt", "cong-an")
