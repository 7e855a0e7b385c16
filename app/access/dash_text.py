"""The words of the coordinator's dashboard, in Vietnamese (default) and English."""

from app.access import analyst_text, questionnaire_text, tablet_text
from app.core import labels

UI: dict[str, dict[str, str]] = {
    "brand": {"vi": "SIPAS – Quản lý khảo sát", "en": "SIPAS – survey management"},
    "sign_in": {"vi": "Đăng nhập", "en": "Sign in"},
    "sign_out": {"vi": "Đăng xuất", "en": "Sign out"},
    "login": {"vi": "Tên đăng nhập", "en": "Login"},
    "password": {"vi": "Mật khẩu", "en": "Password"},
    "bad_login": {"vi": "Sai tên đăng nhập hoặc mật khẩu.", "en": "Wrong login or password."},
    "campaigns": {"vi": "Đợt khảo sát", "en": "Campaigns"},
    "new_campaign": {"vi": "Tạo đợt khảo sát", "en": "New campaign"},
    "no_campaigns": {"vi": "Chưa có đợt khảo sát nào.", "en": "No campaigns yet."},
    "code": {"vi": "Mã", "en": "Code"},
    "name": {"vi": "Tên", "en": "Name"},
    "status": {"vi": "Trạng thái", "en": "Status"},
    "period": {"vi": "Thời gian", "en": "Period"},
    "starts_on": {"vi": "Ngày bắt đầu", "en": "Starts on"},
    "ends_on": {"vi": "Ngày kết thúc", "en": "Ends on"},
    "questionnaire": {"vi": "Bộ câu hỏi", "en": "Questionnaire"},
    "min_sample": {"vi": "Cỡ mẫu tối thiểu để xếp hạng", "en": "Minimum sample to be ranked"},
    "quota_policy": {"vi": "Khi đủ chỉ tiêu", "en": "When a target is full"},
    "policy_accept": {
        "vi": "Tiếp tục nhận, đánh dấu vượt chỉ tiêu",
        "en": "Keep accepting, mark over-quota",
    },
    "policy_stop": {
        "vi": "Ngừng nhận tại đơn vị đó (báo lịch sự cho người dân)",
        "en": "Stop accepting there (with a polite message)",
    },
    "aggregate": {"vi": "Số liệu của cấp trên", "en": "A higher level's figure"},
    "aggregate_default": {
        "vi": "Theo cài đặt của đợt ({how})",
        "en": "The campaign's setting ({how})",
    },
    "agg_pooled": {
        "vi": "Gộp mọi phiếu (đơn vị nhiều phiếu có trọng số lớn)",
        "en": "Pool every response (a unit with more responses weighs more)",
    },
    "agg_mean_of_units": {
        "vi": "Trung bình cộng các đơn vị cấp dưới (như Bộ tính trung bình các tỉnh)",
        "en": "Unweighted mean of the sub-units (as the Ministry averages provinces)",
    },
    "agg_weighted": {
        "vi": "Gia quyền theo số hồ sơ: số liệu chung của đợt, mỗi đơn vị trong phạm vi "
        "theo tỷ lệ hồ sơ đã giải quyết (cần số hồ sơ của mọi đơn vị)",
        "en": "Weighted by dossiers: the campaign's overall figure, each scope unit by its "
        "share of the dossiers handled (every unit needs its dossier count)",
    },
    "overall_figure": {"vi": "Số liệu chung của đợt", "en": "The campaign as a whole"},
    "overall_weighted": {
        "vi": "gia quyền theo số hồ sơ · hiệu ứng thiết kế {deff} · cỡ mẫu hiệu dụng {neff}",
        "en": "weighted by dossiers · design effect {deff} · effective n {neff}",
    },
    "overall_pooled": {"vi": "gộp mọi phiếu", "en": "all responses pooled"},
    # templates, uploads, counters
    "templates": {"vi": "Mẫu để điền", "en": "Templates to fill in"},
    "targets_template": {
        "vi": "Mẫu số hồ sơ theo đơn vị (đã có sẵn các đơn vị của đợt)",
        "en": "Dossier counts per unit (with the campaign's units filled in)",
    },
    "paper_template": {
        "vi": "Mẫu nhập phiếu giấy (đã có sẵn các đơn vị của đợt)",
        "en": "Paper-form template (with the campaign's units filled in)",
    },
    "xlsx_file": {"vi": "Excel (.xlsx)", "en": "Excel (.xlsx)"},
    "csv_file": {"vi": "CSV cho Excel tiếng Việt", "en": "CSV for Vietnamese Excel"},
    "paper": {"vi": "Phiếu giấy", "en": "Paper forms"},
    "paper_forms": {"vi": "Phiếu giấy", "en": "Paper forms"},
    "paper_help": {
        "vi": "Tải mẫu, nhập mỗi phiếu một dòng (sao chép dòng của đơn vị cho từng phiếu), "
        "rồi tải lên. Hệ thống kiểm tra toàn bộ tệp và liệt kê mọi lỗi theo dòng và cột "
        "trước khi nhập; chỉ nhập khi cả tệp đúng.",
        "en": "Download the template, type one row per form (copy a unit's row for each "
        "of its forms), then upload it. The whole file is checked and every problem "
        "listed by line and column before anything is imported; it is imported only "
        "when all of it is right.",
    },
    "units_counters": {"vi": "Đơn vị và quầy", "en": "Units and counters"},
    "units_upload_help": {
        "vi": "Tệp CSV hoặc Excel: mã, tên, loại, mã cấp trên (đơn vị); mã, tên, mã đơn vị "
        "(quầy). Tệp được kiểm tra trước khi nhập.",
        "en": "A CSV or Excel file: code, name, kind, parent (units); code, name, unit "
        "(counters). The file is checked before anything is imported.",
    },
    "upload_units": {"vi": "Nhập đơn vị", "en": "Import units"},
    "upload_counters": {"vi": "Nhập quầy", "en": "Import counters"},
    "file": {"vi": "Tệp (CSV hoặc Excel)", "en": "File (CSV or Excel)"},
    "check_file": {"vi": "Kiểm tra tệp", "en": "Check the file"},
    "preview_ok": {
        "vi": "Tệp {name} không có lỗi. Khi xác nhận: thêm mới {created}, {kept_label} {kept}.",
        "en": "{name} has no problems. On confirming: {created} new, {kept_label} {kept}.",
    },
    "kept_paper": {"vi": "đã nhập trước đó", "en": "already imported"},
    "kept_other": {"vi": "cập nhật", "en": "updated"},
    "nothing_stored": {
        "vi": "Chưa có gì được lưu.",
        "en": "Nothing has been stored yet.",
    },
    "confirm_import": {"vi": "Xác nhận và nhập", "en": "Confirm and import"},
    "too_large_for_web": {
        "vi": "Tệp quá lớn để xác nhận qua trang này; hãy dùng lệnh trên máy chủ "
        "(sipas submissions import, sipas units import, sipas counters import).",
        "en": "The file is too large to confirm through this page; use the command on "
        "the server (sipas submissions import, sipas units import, sipas counters import).",
    },
    "imported": {
        "vi": "Đã nhập: thêm mới {created}, {kept_label} {kept}.",
        "en": "Imported: {created} new, {kept_label} {kept}.",
    },
    "counters": {"vi": "Quầy", "en": "Counters"},
    "counters_help": {
        "vi": "Mỗi quầy có một đường dẫn khảo sát; mã QR in ra mở đường dẫn này.",
        "en": "Each counter has a survey link; its printed QR code opens that link.",
    },
    "counter_code": {"vi": "Mã quầy", "en": "Counter code"},
    "counter_name": {"vi": "Tên quầy", "en": "Counter name"},
    "survey_link": {"vi": "Đường dẫn khảo sát", "en": "Survey link"},
    "qr_code": {"vi": "Mã QR", "en": "QR code"},
    "no_counters": {"vi": "Chưa có quầy nào.", "en": "No counters yet."},
    "complaint_contact": {"vi": "Nơi tiếp nhận phản ánh", "en": "Where to complain"},
    "complaint_help": {
        "vi": "Không bắt buộc. Màn hình cảm ơn cho người dân biết số điện thoại hoặc địa chỉ "
        "này để phản ánh, kiến nghị về hồ sơ của mình.",
        "en": "Optional. The thank-you screen gives citizens this phone number or address "
        "to complain about their case.",
    },
    "complaint_phone": {"vi": "Số điện thoại đường dây nóng", "en": "Hotline phone number"},
    "complaint_url": {"vi": "Trang tiếp nhận phản ánh trực tuyến", "en": "Complaint web page"},
    "private": {
        "vi": "Không công bố chỉ số (cần khóa API)",
        "en": "Private (indices need an API key)",
    },
    "units": {"vi": "Đơn vị khảo sát", "en": "Units surveyed"},
    "units_help": {
        "vi": "Mã đơn vị, mỗi dòng một mã hoặc cách nhau bằng dấu phẩy. Đơn vị cấp dưới được tính theo.",
        "en": "Unit codes, one per line or comma-separated. Units below them are included.",
    },
    "pick_units": {
        "vi": "Chọn đơn vị trên cây (đơn vị cấp dưới được tính theo)",
        "en": "Choose units in the tree (units below them are included)",
    },
    "all_of_kind": {"vi": "Hoặc: tất cả đơn vị loại", "en": "Or: every unit of kind"},
    "under": {"vi": "thuộc", "en": "under"},
    "save": {"vi": "Lưu", "en": "Save"},
    "create": {"vi": "Tạo", "en": "Create"},
    "open": {"vi": "Mở khảo sát", "en": "Open"},
    "close": {"vi": "Đóng khảo sát", "en": "Close"},
    "reopen": {"vi": "Mở lại", "en": "Reopen"},
    "st_draft": {"vi": "Nháp", "en": "Draft"},
    "st_open": {"vi": "Đang mở", "en": "Open"},
    "st_closed": {"vi": "Đã đóng", "en": "Closed"},
    "progress": {"vi": "Tiến độ", "en": "Progress"},
    "settings": {"vi": "Thiết lập", "en": "Settings"},
    "responses": {"vi": "Phiếu cần xem", "en": "Review"},
    "results": {"vi": "Kết quả", "en": "Results"},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "target": {"vi": "Chỉ tiêu", "en": "Target"},
    "collected": {"vi": "Đã thu", "en": "Collected"},
    "percent": {"vi": "% hoàn thành", "en": "% complete"},
    "per_day": {"vi": "Phiếu/ngày", "en": "Per day"},
    "needed": {"vi": "Cần/ngày", "en": "Needed/day"},
    "projected": {"vi": "Dự kiến đủ", "en": "Projected"},
    "days_left": {"vi": "Còn {n} ngày", "en": "{n} days left"},
    "total": {"vi": "Tổng", "en": "Total"},
    "margin": {"vi": "Sai số", "en": "Margin of error"},
    "s_done": {"vi": "Đủ", "en": "Done"},
    "s_on_track": {"vi": "Đúng tiến độ", "en": "On track"},
    "s_at_risk": {"vi": "Có nguy cơ chậm", "en": "At risk"},
    "s_behind": {"vi": "Chậm", "en": "Behind"},
    "s_no_target": {"vi": "Chưa có chỉ tiêu", "en": "No target"},
    "s_early": {"vi": "Mới bắt đầu", "en": "Just started"},
    "pace_help": {
        "vi": "Tiến độ được đánh giá từ ngày thứ hai của đợt khảo sát: trong ngày đầu, đơn vị "
        "chưa đủ chỉ tiêu hiện “Mới bắt đầu”, không bị coi là chậm. Đúng tiến độ: với nhịp "
        "hiện tại sẽ đủ trước ngày kết thúc; có nguy cơ chậm: cần tăng nhịp dưới hai lần; "
        "chậm: cần hơn thế.",
        "en": "Pace is judged from the campaign's second day: on the first day a unit short "
        "of its target shows “Just started”, never behind. On track: the current pace "
        "reaches the target before the last day; at risk: the pace must less than double; "
        "behind: more than that.",
    },
    "below_min_sample": {
        "vi": "Thấp hơn cỡ mẫu tối thiểu ({n}): đơn vị có thể “Đủ” nhưng sẽ không được xếp hạng.",
        "en": "Below the minimum sample ({n}): the unit can reach “Done” yet never be ranked.",
    },
    "confirm_open": {
        "vi": "Mở khảo sát “{name}”? Người dân tại {n} đơn vị sẽ bắt đầu gửi phiếu vào đợt này.",
        "en": "Open “{name}”? Citizens at {n} units will start sending responses to it.",
    },
    "confirm_closed": {
        "vi": "Đóng khảo sát “{name}”? Từ lúc này đợt không nhận phiếu mới.",
        "en": "Close “{name}”? From now on it takes no new responses.",
    },
    "cancel": {"vi": "Hủy", "en": "Cancel"},
    "filter": {"vi": "Lọc", "en": "Filter"},
    "all": {"vi": "Tất cả", "en": "All"},
    "sort": {"vi": "Sắp xếp", "en": "Sort"},
    "targets": {"vi": "Chỉ tiêu mẫu", "en": "Sample targets"},
    "transactions": {"vi": "Số hồ sơ (N)", "en": "Dossiers (N)"},
    "from_transactions": {
        "vi": "Tính chỉ tiêu từ số hồ sơ: n = N/(1+N·e²)",
        "en": "Targets from dossier counts: n = N/(1+N·e²)",
    },
    "csv_help": {
        "vi": "Tệp CSV (UTF-8) hai cột: unit,transactions",
        "en": "A CSV file (UTF-8) with two columns: unit,transactions",
    },
    "margin_e": {"vi": "Sai số e (vd. 0,05)", "en": "Margin e (e.g. 0.05)"},
    "compute": {"vi": "Tính chỉ tiêu", "en": "Compute targets"},
    "quotas": {"vi": "Chỉ tiêu theo nhóm", "en": "Quotas by stratum"},
    "quotas_help": {
        "vi": "Mỗi dòng: nhóm=phương án tỷ lệ%, vd. gender=female 45",
        "en": "One per line: question=option share%, e.g. gender=female 45",
    },
    "flags": {"vi": "Cảnh báo", "en": "Flags"},
    "f_speeding": {"vi": "Làm quá nhanh", "en": "Speeding"},
    "f_straight_lining": {"vi": "Chọn một mức cho tất cả", "en": "Straight-lining"},
    "f_burst": {"vi": "Dồn dập từ một máy", "en": "Burst from one device"},
    "f_repeated_dossier": {"vi": "Trùng hồ sơ", "en": "Repeated dossier"},
    "f_replay_burst": {
        "vi": "Nhiều phiếu gửi bù cùng lúc",
        "en": "Many late (replayed) responses at once",
    },
    "f_interviewer_burst": {
        "vi": "Nhiều phiếu của một điều tra viên trong ít phút",
        "en": "Many forms from one interviewer within minutes",
    },
    "f_over_quota": {"vi": "Vượt chỉ tiêu", "en": "Over quota"},
    "excluded": {"vi": "Đã loại", "en": "Excluded"},
    "exclude": {"vi": "Loại", "en": "Exclude"},
    "restore": {"vi": "Khôi phục", "en": "Restore"},
    "reason": {"vi": "Lý do", "en": "Reason"},
    "when": {"vi": "Thời điểm", "en": "When"},
    "duration": {"vi": "Thời gian làm", "en": "Time taken"},
    "channel": {"vi": "Kênh", "en": "Channel"},
    "interviewer": {"vi": "Điều tra viên", "en": "Interviewer"},
    "campaign_kind": {"vi": "Cách thu phiếu", "en": "How forms are collected"},
    "ck_counter": {
        "vi": "Tại quầy (máy tính bảng, mã QR, phiếu giấy)",
        "en": "At counters (tablet, QR code, paper)",
    },
    "ck_household": {
        "vi": "Hộ gia đình tại thôn, tổ dân phố (điều tra viên; không cần quầy)",
        "en": "Households in villages (interviewers; no counter needed)",
    },
    "interviewers": {"vi": "Điều tra viên", "en": "Interviewers"},
    "village": {"vi": "Thôn, tổ dân phố", "en": "Village"},
    "villages": {"vi": "Thôn, tổ dân phố", "en": "Villages"},
    "commune": {"vi": "Xã, phường", "en": "Commune"},
    "forms": {"vi": "Số phiếu", "en": "Forms"},
    "last_form": {"vi": "Phiếu gần nhất", "en": "Last form"},
    "no_interviews_yet": {
        "vi": "Chưa có phiếu phỏng vấn nào.",
        "en": "No interview forms yet.",
    },
    "nothing_flagged": {"vi": "Không có phiếu nào.", "en": "Nothing here."},
    "show": {"vi": "Hiển thị", "en": "Show"},
    "state_flagged": {"vi": "Có cảnh báo", "en": "Flagged"},
    "state_excluded": {"vi": "Đã loại", "en": "Excluded"},
    "state_over_quota": {"vi": "Vượt chỉ tiêu", "en": "Over quota"},
    "state_all": {"vi": "Tất cả", "en": "All"},
    "prev": {"vi": "Trước", "en": "Previous"},
    "next": {"vi": "Sau", "en": "Next"},
    # Reviewing one response, and excluding one or many (issue 15 item 19).
    "response": {"vi": "Phiếu", "en": "Response"},
    "response_id": {"vi": "Mã phiếu", "en": "Response id"},
    "open_response": {"vi": "Xem phiếu", "en": "Open"},
    "select_response": {"vi": "Chọn phiếu {id}", "en": "Select response {id}"},
    "counter": {"vi": "Quầy", "en": "Counter"},
    "answers": {"vi": "Câu trả lời", "en": "Answers"},
    "question": {"vi": "Câu hỏi", "en": "Question"},
    "answer": {"vi": "Trả lời", "en": "Answer"},
    "not_answered": {"vi": "(không trả lời)", "en": "(no answer)"},
    "not_asked": {
        "vi": "(không hỏi, theo câu trả lời trước)",
        "en": "(not asked, by an earlier answer)",
    },
    "no_flags": {"vi": "Không có cảnh báo.", "en": "No flags."},
    "fx_speeding": {
        "vi": "Hoàn thành trong {seconds} giây, nhanh hơn ngưỡng {limit} giây cần để đọc hết câu hỏi.",
        "en": "Finished in {seconds} s, faster than the {limit} s it takes to read the questions.",
    },
    "fx_straight_lining": {
        "vi": "Mọi tiêu chí đều được chọn cùng một mức.",
        "en": "Every criterion was given the same answer.",
    },
    "fx_burst": {
        "vi": "Cùng máy tính bảng đã gửi một phiếu khác cách chưa đến {limit} giây.",
        "en": "The same tablet sent another response less than {limit} s apart.",
    },
    "fx_repeated_dossier": {
        "vi": "Đợt khảo sát đã có phiếu khác về cùng mã hồ sơ.",
        "en": "The campaign already holds a response about the same dossier.",
    },
    "fx_replay_burst": {
        "vi": "Hơn {count} phiếu gửi bù từ cùng một máy trong {minutes} phút.",
        "en": "More than {count} queued responses from one device within {minutes} minutes.",
    },
    "fx_interviewer_burst": {
        "vi": "Cùng điều tra viên đã hoàn thành từ {limit} phiếu trở lên (kể cả phiếu này) "
        "trong vòng {ivw_minutes} phút.",
        "en": "The same interviewer finished {limit} or more forms (this one included) "
        "within {ivw_minutes} minutes.",
    },
    "fx_over_quota": {
        "vi": "Đến sau khi đơn vị đã đủ chỉ tiêu; vẫn được tính vào chỉ số.",
        "en": "Arrived after the unit's target was full; still counted.",
    },
    "why": {"vi": "Lý do loại", "en": "Reason for excluding"},
    "why_choose": {"vi": "— Chọn lý do —", "en": "— choose a reason —"},
    "why_speeding": {
        "vi": "Làm quá nhanh, không kịp đọc câu hỏi",
        "en": "Too fast to have read the questions",
    },
    "why_straight_lining": {
        "vi": "Chọn cùng một mức cho mọi câu",
        "en": "Same answer to every question",
    },
    "why_burst": {"vi": "Gửi dồn dập từ một máy", "en": "Burst from one device"},
    "why_duplicate": {"vi": "Trùng phiếu hoặc trùng hồ sơ", "en": "Duplicate response or dossier"},
    "why_test": {"vi": "Phiếu thử hoặc tập huấn", "en": "Test or training response"},
    "why_not_user": {
        "vi": "Người trả lời không đến giao dịch tại đơn vị",
        "en": "Respondent did not use the service",
    },
    "why_other": {"vi": "Lý do khác (ghi rõ bên dưới)", "en": "Other (say below)"},
    "why_note": {
        "vi": "Ghi chú (bắt buộc nếu chọn “Lý do khác”)",
        "en": "Note (needed for “Other”)",
    },
    "why_missing": {
        "vi": "Hãy chọn lý do loại phiếu, hoặc chọn “Lý do khác” và ghi rõ.",
        "en": "Choose why the response is excluded, or choose “Other” and say why.",
    },
    "why_other_note": {
        "vi": "Đã chọn “Lý do khác”: hãy ghi rõ lý do vào ô ghi chú.",
        "en": "You chose “Other”: say why in the note.",
    },
    "why_too_long": {
        "vi": "Lý do dài quá 500 ký tự.",
        "en": "The reason is longer than 500 characters.",
    },
    "exclude_this": {"vi": "Loại phiếu này", "en": "Exclude this response"},
    "exclude_selected": {"vi": "Loại các phiếu đã chọn…", "en": "Exclude selected…"},
    "none_selected": {
        "vi": "Chưa chọn phiếu nào: đánh dấu ô ở đầu mỗi dòng cần loại.",
        "en": "No response selected: tick the box at the start of each row to exclude.",
    },
    "confirm_exclude_n": {
        "vi": "Loại {n} phiếu dưới đây khỏi mọi chỉ số và số đếm? Câu trả lời vẫn được giữ nguyên và có thể khôi phục.",
        "en": "Leave these {n} responses out of every index and count? Their answers are kept and can be restored.",
    },
    "confirm_exclude": {"vi": "Xác nhận loại {n} phiếu", "en": "Exclude {n} responses"},
    "excluded_n": {"vi": "Đã loại {n} phiếu.", "en": "{n} responses excluded."},
    "already_excluded": {
        "vi": "Phiếu {id} đã bị loại trước đó; không phiếu nào được loại thêm.",
        "en": "Response {id} was already excluded; none was excluded.",
    },
    "back_to_list": {"vi": "Quay lại danh sách", "en": "Back to the list"},
    # An admin resets a user's password with a one-time link (issue 15 item 20).
    "reset_password": {"vi": "Đặt lại mật khẩu", "en": "Reset password"},
    "reset_link_once": {
        "vi": "Liên kết đặt lại mật khẩu cho {login}: chỉ hiện lần này, dùng được một lần, hết hạn lúc {until}. Hãy gửi cho người dùng qua kênh an toàn.",
        "en": "Password reset link for {login}: shown only now, works once, expires at {until}. Send it to them over a safe channel.",
    },
    "reset_done_note": {
        "vi": "Mật khẩu cũ không còn dùng được và mọi phiên đăng nhập của tài khoản này đã kết thúc.",
        "en": "The old password no longer works and every session of this account has ended.",
    },
    "reset_title": {"vi": "Đặt mật khẩu mới", "en": "Choose a new password"},
    "reset_for": {"vi": "Tài khoản: {login}", "en": "Account: {login}"},
    "reset_gone": {
        "vi": "Liên kết này không còn dùng được (đã dùng, đã hết hạn hoặc đã có liên kết mới hơn). Hãy nhờ quản trị viên tạo liên kết mới.",
        "en": "This link no longer works (used, expired or replaced by a newer one). Ask an administrator for a new link.",
    },
    "pw_too_short": {
        "vi": "Mật khẩu mới cần ít nhất 10 ký tự.",
        "en": "The new password needs at least 10 characters.",
    },
    "pw_mismatch": {
        "vi": "Hai lần nhập mật khẩu mới không giống nhau.",
        "en": "The two new passwords differ.",
    },
    "rank": {"vi": "Hạng", "en": "Rank"},
    "median": {"vi": "Trung vị", "en": "Median"},
    "small_sample": {"vi": "mẫu nhỏ", "en": "small sample"},
    # Counted from the questionnaire: 22 for sipas-2017, 39 for sipas-2023.
    "criteria": {"vi": "{n} tiêu chí", "en": "The {n} criteria"},
    "factors": {"vi": "Yếu tố", "en": "Factors"},
    "perception": {"vi": "Nhận thức, kênh thông tin", "en": "Perception and channels"},
    "timeliness": {"vi": "Trả kết quả", "en": "Return of results"},
    "t_early": {"vi": "Sớm hẹn", "en": "Early"},
    "t_on_time": {"vi": "Đúng hẹn", "en": "On time"},
    "t_late": {"vi": "Trễ hẹn", "en": "Late"},
    "t_on_time_or_early": {"vi": "Đúng hoặc sớm hẹn", "en": "On time or early"},
    "value": {"vi": "Giá trị", "en": "Value"},
    "legend_median": {
        "vi": "Thanh: đơn vị; vạch đen: trung vị các đơn vị cùng cấp.",
        "en": "Bar: this unit; black tick: median of its sibling units.",
    },
    "users": {"vi": "Tài khoản", "en": "Accounts"},
    "keys": {"vi": "Khóa API", "en": "API keys"},
    "audit": {"vi": "Nhật ký", "en": "Audit log"},
    "role": {"vi": "Vai trò", "en": "Role"},
    "area": {"vi": "Phạm vi", "en": "Area"},
    "everything": {"vi": "Toàn bộ", "en": "Everything"},
    "label": {"vi": "Tên gọi", "en": "Label"},
    "key_once": {
        "vi": "Khóa mới (chỉ hiện một lần, hãy sao chép ngay):",
        "en": "The new key (shown only now; copy it):",
    },
    "revoke": {"vi": "Thu hồi", "en": "Revoke"},
    "revoked": {"vi": "Đã thu hồi", "en": "Revoked"},
    "active": {"vi": "Đang dùng", "en": "Active"},
    "last_used": {"vi": "Dùng lần cuối", "en": "Last used"},
    "who": {"vi": "Người thực hiện", "en": "Who"},
    "action": {"vi": "Thao tác", "en": "Action"},
    "object": {"vi": "Đối tượng", "en": "On"},
    "detail": {"vi": "Chi tiết", "en": "Detail"},
    "saved": {"vi": "Đã lưu.", "en": "Saved."},
    "problems": {"vi": "Chưa lưu được:", "en": "Not saved:"},
    "csv_export": {"vi": "Tải CSV", "en": "Download CSV"},
    "level": {"vi": "Cấp", "en": "Level"},
    "sub_units": {"vi": "Đơn vị trực thuộc", "en": "Units below"},
    "unit_alone": {
        "vi": "Đơn vị này không có đơn vị trực thuộc: đây là số liệu của chính đơn vị, "
        "trung vị là của các đơn vị cùng cấp.",
        "en": "This unit has no units below it: these are its own figures, beside the "
        "median of its sibling units.",
    },
    "n": {"vi": "Số phiếu", "en": "Responses"},
    "error_title": {"vi": "Không thực hiện được", "en": "That did not work"},
    "back_to": {"vi": "Quay lại", "en": "Back"},
    "change_password": {"vi": "Đổi mật khẩu", "en": "Change password"},
    "current_password": {"vi": "Mật khẩu hiện tại", "en": "Current password"},
    "new_password": {
        "vi": "Mật khẩu mới (ít nhất 10 ký tự)",
        "en": "New password (10+ characters)",
    },
    "repeat_password": {"vi": "Nhập lại mật khẩu mới", "en": "New password again"},
    "disable": {"vi": "Khóa", "en": "Disable"},
    "enable": {"vi": "Mở khóa", "en": "Enable"},
    "disabled": {"vi": "Đã khóa", "en": "Disabled"},
    "qr_sheets": {"vi": "In mã QR cho các quầy (PDF)", "en": "QR sheets for the counters (PDF)"},
    "per_day_chart": {"vi": "Số phiếu mỗi ngày", "en": "Responses per day"},
    "language": {"vi": "English", "en": "Tiếng Việt"},
    "nav_main": {"vi": "Trình đơn chính", "en": "Main menu"},
    "nav_campaign": {"vi": "Các trang của đợt khảo sát", "en": "Campaign pages"},
    "ci95": {"vi": "Khoảng tin cậy 95 %", "en": "95 % CI"},
    # Codes shown to coordinators: unit kinds, roles, channels, key scopes.
    **labels.prefixed("kind_", labels.UNIT_KIND),
    "kind_mixed": labels.LEAGUE_MIXED,
    "role_admin": {"vi": "Quản trị viên", "en": "Admin"},
    "role_coordinator": {"vi": "Điều phối viên", "en": "Coordinator"},
    "role_viewer": {"vi": "Người xem", "en": "Viewer"},
    "role_interviewer": {"vi": "Điều tra viên", "en": "Interviewer"},
    **labels.prefixed("ch_", labels.CHANNEL),
    **labels.prefixed("node_", labels.NODE_KIND),
    "scope_read": {"vi": "Chỉ đọc", "en": "Read"},
    "scope_write": {"vi": "Gửi phiếu", "en": "Write"},
    **labels.prefixed("scoring_", labels.SCORING),
    # Audit actions and the names in their details.
    "act_paper.import": {"vi": "Nhập phiếu giấy", "en": "Paper forms imported"},
    "act_units.import": {"vi": "Nhập đơn vị", "en": "Units imported"},
    "act_counters.import": {"vi": "Nhập quầy", "en": "Counters imported"},
    "act_account.sign_in": {"vi": "Đăng nhập", "en": "Signed in"},
    "act_account.sign_in_failed": {"vi": "Đăng nhập sai", "en": "Failed sign-in"},
    "act_account.create": {"vi": "Tạo tài khoản", "en": "Account created"},
    "act_account.password": {"vi": "Đổi mật khẩu", "en": "Password changed"},
    "act_account.password_reset": {"vi": "Đặt lại mật khẩu", "en": "Password reset"},
    "act_account.password_reset_link": {
        "vi": "Tạo liên kết đặt lại mật khẩu",
        "en": "Password reset link made",
    },
    "act_account.disable": {"vi": "Khóa tài khoản", "en": "Account disabled"},
    "act_account.enable": {"vi": "Mở khóa tài khoản", "en": "Account enabled"},
    "act_api_key.create": {"vi": "Tạo khóa API", "en": "API key created"},
    "act_api_key.revoke": {"vi": "Thu hồi khóa API", "en": "API key revoked"},
    "publish": {"vi": "Công bố", "en": "Publish"},
    "pub_heading": {"vi": "Công bố kết quả", "en": "Publish the results"},
    "pub_preview": {
        "vi": "Khi công bố, công chúng sẽ thấy đúng các bảng xếp hạng dưới đây (số liệu tại "
        "thời điểm này), cùng trang của từng đơn vị và các tệp tải về, tại {url}. Phiếu đến "
        "sau hoặc phiếu bị loại sau không làm thay đổi bản đã công bố.",
        "en": "Publishing shows the public exactly the league tables below (figures as they "
        "stand now), each unit's page and the downloads, at {url}. Responses or exclusions "
        "after that never change the published edition.",
    },
    "pub_note": {
        "vi": "Ghi chú điều chỉnh so với bản trước (bắt buộc từ bản số 2)",
        "en": "What changed since the previous edition (required from edition 2)",
    },
    "pub_interim": {
        "vi": "Công bố kết quả sơ bộ (đợt khảo sát đang mở; mọi trang và tệp ghi rõ là sơ bộ)",
        "en": "Publish preliminary (interim) results: the campaign is still open; every page "
        "and file says so",
    },
    "pub_confirm": {
        "vi": "Tôi đã kiểm tra các bảng dưới đây: công bố bản số {n}",
        "en": "I have checked the tables below: publish edition {n}",
    },
    "pub_closed_only": {
        "vi": "Chỉ công bố khi đợt khảo sát đã đóng, hoặc công bố kết quả sơ bộ.",
        "en": "Publish once the campaign is closed, or publish preliminary results.",
    },
    "pub_draft": {
        "vi": "Đợt khảo sát chưa mở: chưa có kết quả để công bố.",
        "en": "The campaign has not been opened: there are no results to publish.",
    },
    "pub_private": {
        "vi": "Đợt khảo sát được đặt là không công bố (Thiết lập).",
        "en": "The campaign is set as private (Settings).",
    },
    "pub_editions": {"vi": "Các bản đã công bố", "en": "Editions"},
    "pub_none": {"vi": "Chưa công bố", "en": "Not published"},
    "pub_edition_n": {"vi": "Bản số {n}", "en": "Edition {n}"},
    "pub_interim_short": {"vi": "sơ bộ", "en": "interim"},
    "pub_withdrawn": {"vi": "đã thu hồi", "en": "withdrawn"},
    "pub_moved": {"vi": "{n} đơn vị thay đổi", "en": "{n} unit(s) moved"},
    "pub_by": {"vi": "Người công bố", "en": "Published by"},
    "pub_when": {"vi": "Ngày công bố", "en": "Published on"},
    "pub_public_page": {"vi": "Trang kết quả công khai", "en": "Public results page"},
    "unpub_heading": {"vi": "Thu hồi kết quả đã công bố", "en": "Withdraw the published results"},
    "unpub_help": {
        "vi": "Mọi bản công bố bị ẩn khỏi công chúng (không bản nào bị xóa); công bố lại sẽ "
        "hiện tất cả cùng bản mới.",
        "en": "Every edition is hidden from the public (none is deleted); publishing again "
        "shows them all with the new one.",
    },
    "unpub_reason": {"vi": "Lý do thu hồi", "en": "Reason"},
    "unpub_button": {"vi": "Thu hồi", "en": "Withdraw"},
    "internal_results": {
        "vi": "Kết quả nội bộ, chưa công bố: chỉ người đăng nhập xem được.",
        "en": "Internal results, not published: only signed-in users see them.",
    },
    "internal_results_published": {
        "vi": "Số liệu nội bộ hiện tại (chỉ người đăng nhập xem được), có thể khác bản công bố "
        "số {n} ngày {date} mà công chúng đang xem.",
        "en": "Current internal figures (only signed-in users see them); they may differ from "
        "edition {n} of {date}, which the public sees.",
    },
    "published_col": {"vi": "Công bố", "en": "Published"},
    "act_campaign.publish": {"vi": "Công bố kết quả", "en": "Results published"},
    "act_campaign.unpublish": {"vi": "Thu hồi kết quả", "en": "Results withdrawn"},
    "act_campaign.create": {"vi": "Tạo đợt khảo sát", "en": "Campaign created"},
    "act_campaign.edit": {"vi": "Sửa thiết lập đợt khảo sát", "en": "Campaign settings changed"},
    "act_campaign.open": {"vi": "Mở khảo sát", "en": "Campaign opened"},
    "act_campaign.closed": {"vi": "Đóng khảo sát", "en": "Campaign closed"},
    "act_campaign.targets": {"vi": "Đặt chỉ tiêu", "en": "Targets set"},
    "act_campaign.targets_from_transactions": {
        "vi": "Tính chỉ tiêu từ số hồ sơ",
        "en": "Targets from dossier counts",
    },
    "act_campaign.quotas": {"vi": "Đặt chỉ tiêu theo nhóm", "en": "Quotas set"},
    "act_kiosk.enrol": {"vi": "Tạo liên kết gắn máy tính bảng", "en": "Tablet enrolment link made"},
    "act_kiosk.rename": {"vi": "Đổi tên máy tính bảng", "en": "Tablet renamed"},
    "act_kiosk.revoke": {"vi": "Thu hồi máy tính bảng", "en": "Tablet revoked"},
    "act_response.exclude": {"vi": "Loại phiếu", "en": "Response excluded"},
    "act_response.restore": {"vi": "Khôi phục phiếu", "en": "Response restored"},
    "dk_reason": {"vi": "Lý do", "en": "Reason"},
    "dk_flags": {"vi": "Cảnh báo", "en": "Flags"},
    "dk_role": {"vi": "Vai trò", "en": "Role"},
    "dk_unit": {"vi": "Phạm vi", "en": "Area"},
    "dk_label": {"vi": "Tên gọi", "en": "Label"},
    "dk_scope": {"vi": "Quyền", "en": "Scope"},
    "dk_changed": {"vi": "Đã đổi", "en": "Changed"},
    "dk_targets": {"vi": "Chỉ tiêu", "en": "Targets"},
    "dk_file": {"vi": "Tệp", "en": "File"},
    "dk_created": {"vi": "Thêm mới", "en": "Created"},
    "dk_kept": {"vi": "Đã có hoặc cập nhật", "en": "Already there or updated"},
    "dk_margin": {"vi": "Sai số", "en": "Margin"},
    "dk_units": {"vi": "Đơn vị", "en": "Units"},
    "dk_starts_on": {"vi": "Bắt đầu", "en": "Starts"},
    "dk_ends_on": {"vi": "Kết thúc", "en": "Ends"},
    "dk_quotas": {"vi": "Chỉ tiêu theo nhóm", "en": "Quotas"},
    # Where a problem is (error locations).
    "loc_code": {"vi": "Mã", "en": "Code"},
    "loc_name": {"vi": "Tên", "en": "Name"},
    "loc_starts_on": {"vi": "Ngày bắt đầu", "en": "Starts on"},
    "loc_ends_on": {"vi": "Ngày kết thúc", "en": "Ends on"},
    "loc_questionnaire": {"vi": "Bộ câu hỏi", "en": "Questionnaire"},
    "loc_version": {"vi": "Phiên bản bộ câu hỏi", "en": "Questionnaire version"},
    "loc_complaint_phone": {"vi": "Số điện thoại đường dây nóng", "en": "Hotline phone number"},
    "loc_complaint_url": {"vi": "Trang tiếp nhận phản ánh trực tuyến", "en": "Complaint web page"},
    "loc_min_sample": {"vi": "Cỡ mẫu tối thiểu", "en": "Minimum sample"},
    "loc_quota_policy": {"vi": "Khi đủ chỉ tiêu", "en": "When a target is full"},
    "loc_aggregate": {"vi": "Số liệu của cấp trên", "en": "A higher level's figure"},
    "loc_transactions_of": {"vi": "Số hồ sơ của {unit}", "en": "Dossiers of {unit}"},
    "loc_is_private": {"vi": "Không công bố", "en": "Private"},
    "loc_units": {"vi": "Đơn vị khảo sát", "en": "Units surveyed"},
    "loc_unit": {"vi": "Đơn vị", "en": "Unit"},
    "loc_status": {"vi": "Trạng thái", "en": "Status"},
    "loc_margin": {"vi": "Sai số", "en": "Margin"},
    "loc_file": {"vi": "Tệp", "en": "File"},
    "loc_reason": {"vi": "Lý do", "en": "Reason"},
    "loc_flag": {"vi": "Cảnh báo", "en": "Flag"},
    "loc_login": {"vi": "Tên đăng nhập", "en": "Login"},
    "loc_password": {"vi": "Mật khẩu", "en": "Password"},
    "loc_role": {"vi": "Vai trò", "en": "Role"},
    "loc_label": {"vi": "Tên gọi", "en": "Label"},
    "loc_scope": {"vi": "Quyền", "en": "Scope"},
    "loc_current": {"vi": "Mật khẩu hiện tại", "en": "Current password"},
    "loc_new": {"vi": "Mật khẩu mới", "en": "New password"},
    "loc_repeat": {"vi": "Nhập lại mật khẩu mới", "en": "New password again"},
    "loc_page": {"vi": "Trang", "en": "Page"},
    "loc_state": {"vi": "Hiển thị", "en": "Show"},
    "loc_sort": {"vi": "Sắp xếp", "en": "Sort"},
    "loc_desc": {"vi": "Thứ tự", "en": "Order"},
    "loc_parent": {"vi": "Đơn vị cấp trên", "en": "Parent unit"},
    "loc_level": {"vi": "Cấp", "en": "Level"},
    "loc_under": {"vi": "Thuộc", "en": "Under"},
    "loc_path": {"vi": "Đường dẫn", "en": "Path"},
    "loc_body": {"vi": "Nội dung gửi lên", "en": "Body"},
    "loc_quotas": {"vi": "Chỉ tiêu theo nhóm", "en": "Quotas"},
    "loc_targets": {"vi": "Chỉ tiêu", "en": "Targets"},
    "loc_line": {"vi": "dòng {n}", "en": "line {n}"},
    "loc_line_column": {"vi": "dòng {n}, cột {column}", "en": "line {n}, column {column}"},
    "loc_target_of": {"vi": "Chỉ tiêu của {unit}", "en": "Target of {unit}"},
    "loc_quota_of": {"vi": "Chỉ tiêu nhóm {key}", "en": "Quota {key}"},
    "loc_field": {"vi": "Trường {name}", "en": "Field {name}"},
}

UI.update(tablet_text.UI)
UI.update(analyst_text.UI)
UI.update(questionnaire_text.UI)


def t(key: str, lang: str, /, **values: object) -> str:
    text = UI[key].get(lang) or UI[key]["vi"]
    return text.format(**values) if values else text
