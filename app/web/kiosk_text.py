"""Words a kiosk tablet shows the person setting it up, and its unsent-responses note.

Merged into the respondent tables (app/web/i18n.py); kept apart so that they stay
easy to find beside the citizen's words.
"""

UI: dict[str, dict[str, str]] = {
    "enrolled_title": {"vi": "Đã đăng ký máy tính bảng", "en": "Tablet enrolled"},
    "enrolled_body": {
        "vi": "Máy tính bảng này giờ là {label} tại {counter} ({unit}).",
        "en": "This tablet is now {label} at {counter} ({unit}).",
    },
    "enrolled_next": {
        "vi": "Từ nay, mở địa chỉ /kiosk trên máy này sẽ luôn mở phiếu khảo sát của quầy này.",
        "en": "From now on, /kiosk on this tablet always opens this counter's questionnaire.",
    },
    "enrolled_start": {"vi": "Mở phiếu khảo sát", "en": "Open the questionnaire"},
    "enrol_used_title": {"vi": "Đường dẫn đã được dùng", "en": "This link has been used"},
    "enrol_used_body": {
        "vi": "Đường dẫn đăng ký này chỉ dùng được một lần và đã được mở trên máy "
        "“{label}”. Máy này chưa được đăng ký. Hãy nhờ cán bộ điều phối tạo đường dẫn "
        "mới ở trang Máy tính bảng.",
        "en": "This enrolment link works once and was already opened, as “{label}”. "
        "This browser has not been enrolled. Ask the coordinator for a new link from "
        "the Tablets page.",
    },
    "enrol_expired_title": {"vi": "Đường dẫn đã hết hạn", "en": "This link has expired"},
    "enrol_expired_body": {
        "vi": "Đường dẫn đăng ký chỉ dùng được trong {minutes} phút sau khi tạo. Máy này "
        "chưa được đăng ký. Hãy nhờ cán bộ điều phối tạo đường dẫn mới.",
        "en": "An enrolment link works for {minutes} minutes after it is made. This "
        "browser has not been enrolled. Ask the coordinator for a new link.",
    },
    "enrol_unknown_title": {"vi": "Đường dẫn không hợp lệ", "en": "Unknown enrolment link"},
    "enrol_unknown_body": {
        "vi": "Không tìm thấy đường dẫn đăng ký này (có thể máy đã bị thu hồi). Hãy "
        "nhờ cán bộ điều phối tạo đường dẫn mới.",
        "en": "This enrolment link is not known (the tablet may have been revoked). Ask "
        "the coordinator for a new link.",
    },
    "late_expired": {
        "vi": "Đợt khảo sát {campaign} đã đóng ngày {closed} và chỉ nhận bù phiếu hoàn "
        "thành trước đó trong {days} ngày, đến ngày {until}; phiếu này chưa được lưu. Hãy "
        "giữ phiếu trên máy và báo cán bộ điều phối của đợt khảo sát (có thể mở lại đợt "
        "khảo sát để nhận phiếu).",
        "en": "campaign {campaign} closed on {closed} and took responses finished before "
        "then for {days} more days, until {until}; this one was not stored. Keep it on "
        "the device and tell the campaign's coordinator, who can reopen the campaign to "
        "receive it.",
    },
    "held_note": {
        "vi": "Máy này còn giữ {n} phiếu chưa gửi được vì đợt khảo sát đã đóng quá hạn "
        "nhận bù. Đừng xóa dữ liệu trình duyệt; hãy báo cán bộ điều phối (có thể mở lại "
        "đợt khảo sát để nhận các phiếu này).",
        "en": "This tablet holds {n} response(s) the server no longer accepts: the "
        "campaign closed longer ago than its late-sync grace period. Do not clear the "
        "browser's data; tell the survey coordinator (reopening the campaign lets them "
        "in).",
    },
}
