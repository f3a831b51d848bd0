"""A commune People's Committee's plan signed by a deputy chairman in the three-line form."""

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

Giao Văn phòng HĐND và UBND xã theo dõi, tổng hợp kết quả thực hiện./.

Nơi nhận:
- Như trên;
- Ủy ban nhân dân huyện (báo cáo);
- Ủy ban Mặt trận Tổ quốc Việt Nam xã;
- Lưu: VT, VP.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Lê Văn Phó
"""
