"""The words of the questionnaires page (upload, preview, download), vi and en."""

UI: dict[str, dict[str, str]] = {
    "questionnaires": {"vi": "Bộ câu hỏi", "en": "Questionnaires"},
    "q_title": {"vi": "Bộ câu hỏi", "en": "Questionnaires"},
    "q_upload": {"vi": "Tải lên bộ câu hỏi", "en": "Upload a questionnaire"},
    "q_upload_hint": {
        "vi": "Bảng tính XLSForm (.xlsx: các trang survey, choices, settings và scoring, "
        "như Kobo, ODK, SurveyCTO) hoặc tệp YAML. Tệp được kiểm tra, xem trước như "
        "người dân sẽ thấy, rồi mới lưu thành một phiên bản mới; phiên bản đã lưu "
        "không bao giờ bị ghi đè.",
        "en": "An XLSForm workbook (.xlsx: sheets survey, choices, settings and scoring, "
        "as in Kobo, ODK, SurveyCTO) or a YAML file. It is checked, previewed as a "
        "citizen will see it, and only then saved as a new version; a saved version is "
        "never overwritten.",
    },
    "q_file_label": {"vi": "Tệp (.xlsx hoặc .yaml)", "en": "File (.xlsx or .yaml)"},
    "q_check": {"vi": "Kiểm tra và xem trước", "en": "Check and preview"},
    "q_refused": {
        "vi": "{name}: chưa lưu, có {n} lỗi cần sửa (không có gì được lưu):",
        "en": "{name}: not saved, {n} mistake(s) to fix (nothing was stored):",
    },
    "q_installed": {"vi": "Các bộ câu hỏi hiện có", "en": "Installed questionnaires"},
    "q_version": {"vi": "Phiên bản", "en": "Version"},
    "q_origin": {"vi": "Nguồn", "en": "Source"},
    "q_uploaded": {"vi": "Tải lên", "en": "Uploaded"},
    "q_file": {"vi": "Tệp của hệ thống", "en": "Shipped file"},
    "q_download": {"vi": "Tải về", "en": "Download"},
    "q_saved": {
        "vi": "Đã lưu bộ câu hỏi {slug} phiên bản {version}; có thể dùng cho đợt khảo sát mới.",
        "en": "Saved {slug} version {version}; a new campaign can use it.",
    },
    "q_preview_title": {"vi": "Xem trước bộ câu hỏi", "en": "Questionnaire preview"},
    "q_preview_body": {
        "vi": "“{title}” sẽ được lưu thành {slug} phiên bản {version}. Đây là phiếu như "
        "người dân sẽ thấy; chưa có gì được lưu.",
        "en": "“{title}” will be saved as {slug} version {version}. This is the form as a "
        "citizen will see it; nothing is stored yet.",
    },
    "q_version_taken": {
        "vi": "Tệp ghi phiên bản {stated}, nhưng phiên bản đó đã có hoặc không kế tiếp: "
        "bộ câu hỏi sẽ là phiên bản {version}.",
        "en": "The file says version {stated}, which exists or is not the next one: it "
        "will be version {version}.",
    },
    "q_preview_shape": {
        "vi": "{questions} câu hỏi; cây chỉ số gồm {items} câu tính điểm và {nodes} nút; "
        "ngôn ngữ: {languages}.",
        "en": "{questions} questions; index tree of {items} scored items and {nodes} "
        "nodes; languages: {languages}.",
    },
    "q_save_as": {"vi": "Lưu thành phiên bản {version}", "en": "Save as version {version}"},
    "q_back": {"vi": "Quay lại, chọn tệp khác", "en": "Back, choose another file"},
}
