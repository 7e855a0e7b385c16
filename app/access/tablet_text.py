"""Dashboard words for kiosk tablets, late syncs and overlapping campaigns.

Merged into the dashboard tables (app/access/dash_text.py); kept apart so that the
whole-dashboard translation and these pages can change without stepping on each other.
"""

UI: dict[str, dict[str, str]] = {
    "tablets": {"vi": "Máy tính bảng", "en": "Tablets"},
    "tablet": {"vi": "Máy", "en": "Tablet"},
    "counter": {"vi": "Quầy", "en": "Counter"},
    "enrolled_on": {"vi": "Đăng ký lúc", "en": "Enrolled"},
    "last_sync": {"vi": "Đồng bộ lần cuối", "en": "Last sync"},
    "unsent": {"vi": "Phiếu chưa gửi", "en": "Unsent responses"},
    "tab_pending": {"vi": "Chờ mở đường dẫn", "en": "Link not opened yet"},
    "tab_active": {"vi": "Đang dùng", "en": "Active"},
    "tab_revoked": {"vi": "Đã thu hồi", "en": "Revoked"},
    "no_tablets": {"vi": "Chưa có máy tính bảng nào.", "en": "No tablets yet."},
    "enrol_tablet": {"vi": "Đăng ký máy tính bảng", "en": "Enrol a tablet"},
    "enrol_button": {"vi": "Tạo đường dẫn đăng ký", "en": "Make the enrolment link"},
    "enrol_link": {
        "vi": "Mở đường dẫn này một lần trên máy “{label}” trong {minutes} phút (trước "
        "{until}). Đường dẫn chỉ hiện lần này và chỉ dùng được một lần:",
        "en": "Open this link once on “{label}” within {minutes} minutes (before "
        "{until}). It is shown only now and works once:",
    },
    "rename": {"vi": "Đổi tên", "en": "Rename"},
    "holding_title": {
        "vi": "Có máy tính bảng còn giữ phiếu chưa gửi",
        "en": "Tablets hold unsent responses",
    },
    "holding_row": {
        "vi": "{label} tại quầy {counter}: {n} phiếu (báo lúc {at})",
        "en": "{label} at counter {counter}: {n} response(s) (reported {at})",
    },
    "holding_help": {
        "vi": "Phiếu hoàn thành trong thời gian khảo sát được nhận bù trong {days} ngày "
        "sau khi đóng đợt. Hãy cho máy kết nối mạng; nếu đã quá hạn, có thể mở lại đợt "
        "khảo sát để nhận các phiếu này.",
        "en": "Responses finished during the campaign are still taken for {days} days "
        "after it closes. Get the tablet online; past that, reopening the campaign lets "
        "them in.",
    },
    "late_sync": {"vi": "Gửi bù sau khi đóng", "en": "Late sync"},
    "late_synced": {
        "vi": "{n} phiếu được gửi bù sau khi đợt khảo sát đóng",
        "en": "{n} response(s) arrived after the campaign closed (late sync)",
    },
    "feeds": {"vi": "Quầy đang nhận phiếu cho", "en": "Counters feeding"},
    "counters_elsewhere": {
        "vi": "Quầy trong phạm vi đang nhận phiếu cho đợt khác",
        "en": "Counters in this scope that feed another campaign",
    },
    "overlap_title": {
        "vi": "Phạm vi trùng với đợt khảo sát đang mở",
        "en": "The scope overlaps an open campaign",
    },
    "overlap_intro": {
        "vi": "Các quầy dưới đây đang nhận phiếu cho một đợt khảo sát khác đang mở. Hãy "
        "chọn mỗi quầy nhận phiếu cho đợt nào, rồi mở đợt khảo sát; hoặc đóng đợt kia "
        "trước.",
        "en": "The counters below already collect for another open campaign. Choose "
        "which campaign each one feeds, then open; or close the other campaign first.",
    },
    "overlap_open": {"vi": "Mở đợt khảo sát với lựa chọn này", "en": "Open with these choices"},
    "now_feeds": {"vi": "Hiện nhận cho", "en": "Feeds now"},
    "will_feed": {"vi": "Sẽ nhận cho", "en": "Will feed"},
}
