"""Error messages by key, in Vietnamese and English.

Services raise `Invalid.of("campaign_not_created", fields)` and
`FieldError.of("units", "unit_unknown", code=...)`: the error carries the key and its
parameters, its English text is what the JSON API says (`detail`, `msg`), and the
dashboard renders the same key in the coordinator's language. A message without a
key still works (its English is shown, marked untranslated, and the all-pages test
fails on it in Vietnamese).
"""

MESSAGES: dict[str, dict[str, str]] = {
    # campaigns
    "campaign_not_created": {
        "vi": "Chưa tạo được đợt khảo sát",
        "en": "the campaign cannot be created",
    },
    "campaign_not_changed": {
        "vi": "Chưa lưu được thay đổi của đợt khảo sát",
        "en": "the campaign cannot be changed",
    },
    "campaign_unknown": {
        "vi": "Không có đợt khảo sát {code!r}",
        "en": "campaign {code!r} does not exist",
    },
    "campaign_unknown_case": {
        "vi": "Không có đợt khảo sát {code!r}; có phải {names}? (mã phân biệt chữ hoa, chữ thường)",
        "en": "campaign {code!r} does not exist; did you mean {names}? (codes are case-sensitive)",
    },
    "did_you_mean": {"vi": "có phải {names}?", "en": "did you mean {names}?"},
    "scope_overlap": {
        "vi": "đơn vị {below!r} thuộc {above!r}, cũng đã có trong phạm vi: chỉ giữ một "
        "(các đơn vị cấp dưới đã được tính theo)",
        "en": "unit {below!r} is under {above!r}, which is also in the scope: keep one "
        "(units below a scope unit are included already)",
    },
    "aggregate_choice": {
        "vi": "chọn pooled, mean_of_units hoặc weighted",
        "en": "pooled, mean_of_units or weighted",
    },
    "weight_no_transactions": {
        "vi": "Không tính được số liệu gia quyền theo số hồ sơ của đợt {campaign!r}: "
        "{n} đơn vị trong phạm vi chưa có số hồ sơ (nhập số hồ sơ ở trang Thiết lập, "
        "hoặc chọn cách tính khác)",
        "en": "campaign {campaign!r} cannot be weighted by dossiers: {n} scope unit(s) "
        "have no dossier count (enter the counts on the settings page, or choose "
        "another aggregate)",
    },
    "unit_no_transactions": {
        "vi": "đơn vị {unit!r} chưa có số hồ sơ",
        "en": "unit {unit!r} has no dossier count",
    },
    "campaign_exists": {
        "vi": "Đã có đợt khảo sát mã {code!r}",
        "en": "campaign {code!r} already exists",
    },
    "campaign_no_draft": {
        "vi": "Đợt khảo sát {code!r} đã mở hoặc đã đóng; không thể trở lại bản nháp",
        "en": "campaign {code!r} is {status}; it cannot go back to draft",
    },
    "campaign_code_bad": {
        "vi": "{code!r} không phải là mã hợp lệ (chữ, số, . _ -)",
        "en": "{code!r} is not a valid code (letters, digits, . _ -)",
    },
    "form_has_problems": {"vi": "Biểu mẫu có chỗ chưa đúng", "en": "the form has problems"},
    "name_empty": {"vi": "chưa nhập tên", "en": "name is empty"},
    "ends_before_start": {
        "vi": "ngày kết thúc trước ngày bắt đầu",
        "en": "the campaign ends before it starts",
    },
    "at_least_1": {"vi": "phải từ 1 trở lên", "en": "must be at least 1"},
    "at_most": {"vi": "tối đa {n}", "en": "at most {n}"},
    "at_most_chars": {"vi": "tối đa {n} ký tự", "en": "at most {n} characters"},
    "phone_bad": {
        "vi": "{raw!r} không phải là số điện thoại (chữ số, có thể có dấu cách, . - ( ) và + ở đầu)",
        "en": "{raw!r} is not a phone number (digits, with spaces, . - ( ) and a leading + allowed)",
    },
    "url_bad": {
        "vi": "{raw!r} không phải là đường dẫn (bắt đầu bằng https:// hoặc http://)",
        "en": "{raw!r} is not a web address (starting with https:// or http://)",
    },
    "whole_number_min_1": {
        "vi": "nhập một số nguyên từ 1 trở lên",
        "en": "a whole number of at least 1",
    },
    "not_a_date": {
        "vi": "{raw!r} không phải là ngày (NNNN-TT-NN)",
        "en": "{raw!r} is not a date (YYYY-MM-DD)",
    },
    "questionnaire_unknown": {
        "vi": "không có bộ câu hỏi {slug} v{version} (đã cài: {installed})",
        "en": "unknown questionnaire {slug} v{version} (installed: {installed})",
    },
    "questionnaire_unknown_version": {
        "vi": "không có bộ câu hỏi {slug} v{version} (các phiên bản đã cài: {installed})",
        "en": "unknown questionnaire {slug} v{version} (installed versions: {installed})",
    },
    "questionnaire_locked": {
        "vi": "đợt khảo sát đã có phiếu; không đổi được bộ câu hỏi",
        "en": "the campaign already holds responses; its questionnaire cannot change",
    },
    "questionnaire_missing": {
        "vi": "bộ câu hỏi {slug} v{version} của đợt {code!r} chưa được cài",
        "en": "questionnaire {slug} v{version} of campaign {code!r} is not installed",
    },
    "units_required": {
        "vi": "đợt khảo sát cần ít nhất một đơn vị",
        "en": "a campaign needs at least one unit",
    },
    "unit_not_in_campaign": {
        "vi": "Đơn vị {unit!r} không thuộc đợt khảo sát {code!r}",
        "en": "unit {unit!r} is not in campaign {code!r}",
    },
    "unit_unknown": {"vi": "không có đơn vị {code!r}", "en": "unit {code!r} does not exist"},
    "kind_and_unit": {
        "vi": "chọn cả loại đơn vị và đơn vị cấp trên",
        "en": "choose both a kind and a unit",
    },
    "accept_or_stop": {
        "vi": "chọn tiếp tục nhận hoặc ngừng nhận",
        "en": "accept or stop",
    },
    "status_open_closed": {
        "vi": "trạng thái phải là mở hoặc đóng",
        "en": "status must be open or closed",
    },
    "targets_not_set": {"vi": "Chưa lưu được chỉ tiêu", "en": "the targets cannot be set"},
    "not_whole_number": {
        "vi": "{raw!r} không phải là số nguyên",
        "en": "{raw!r} is not a whole number",
    },
    "not_in_scope": {
        "vi": "đơn vị {code!r} không thuộc đợt khảo sát",
        "en": "unit {code!r} is not in the campaign's scope",
    },
    "margin_not_number": {
        "vi": "Sai số không phải là số",
        "en": "the margin of error is not a number",
    },
    "margin_example": {
        "vi": "{raw!r} không phải là số, vd. 0,05",
        "en": "{raw!r} is not a number, e.g. 0.05",
    },
    "margin_range": {
        "vi": "Sai số phải lớn hơn 0 và nhỏ hơn 1 (vd. 0,05 là ±5 điểm)",
        "en": "the margin of error must be between 0 and 1 (e.g. 0.05 for ±5 points)",
    },
    "margin_between": {
        "vi": "lớn hơn 0 và nhỏ hơn 1, vd. 0,05",
        "en": "between 0 and 1, e.g. 0.05",
    },
    "choose_csv": {"vi": "Hãy chọn một tệp CSV", "en": "choose a CSV file"},
    "no_file": {"vi": "chưa chọn tệp", "en": "no file"},
    # imports of paper forms, units and counters (CLI, API and dashboard)
    "import_problems": {
        "vi": "{name}: {n} lỗi; chưa nhập gì",
        "en": "{name}: {n} problem(s); nothing was imported",
    },
    "import_problems_first": {
        "vi": "{name}: {n} lỗi (liệt kê {shown} lỗi đầu); chưa nhập gì",
        "en": "{name}: {n} problem(s) (the first {shown} are listed); nothing was imported",
    },
    "import_conflicts": {
        "vi": "{name}: {n} phiếu đã được nhập trước đó với câu trả lời khác; chưa nhập gì",
        "en": "{name}: {n} form(s) were imported before with different answers; "
        "nothing was imported",
    },
    "import_campaign_not_open": {
        "vi": "Đợt khảo sát {code!r} chưa mở hoặc đã đóng; hãy mở đợt trước khi nhập phiếu",
        "en": "campaign {code!r} is {status}; open it before importing (sipas campaign open {code})",
    },
    "import_bad_header": {
        "vi": "{name}: dòng tiêu đề chưa đúng; chưa nhập gì",
        "en": "{name}: bad header; nothing was imported",
    },
    "form_twice": {
        "vi": "số phiếu {form!r} xuất hiện hai lần (lần đầu ở dòng {first})",
        "en": "form {form!r} appears twice (first on line {first})",
    },
    "form_number_empty": {"vi": "chưa có số phiếu", "en": "the form number is empty"},
    "date_in_future": {"vi": "là ngày trong tương lai", "en": "is in the future"},
    "not_a_date_iso": {
        "vi": "{raw!r} không phải là ngày (NNNN-TT-NN)",
        "en": "{raw!r} is not a date (YYYY-MM-DD)",
    },
    "counter_unknown": {"vi": "không có quầy {code!r}", "en": "unknown counter {code!r}"},
    "unit_unknown_named": {"vi": "không có đơn vị {code!r}", "en": "unknown unit {code!r}"},
    "unit_missing": {"vi": "không có đơn vị {code!r}", "en": "unit {code!r} does not exist"},
    "unit_outside_campaign": {
        "vi": "đơn vị {unit!r} nằm ngoài phạm vi của đợt khảo sát {campaign!r}",
        "en": "unit {unit!r} is outside the scope of campaign {campaign!r}",
    },
    "import_outside_area": {
        "vi": "đơn vị {unit!r} không thuộc {area!r}, địa bàn Ông/Bà quản lý",
        "en": "unit {unit!r} is not under {area!r}, the area you manage",
    },
    "counter_outside_area": {
        "vi": "quầy {counter!r} không thuộc {area!r}, địa bàn Ông/Bà quản lý",
        "en": "counter {counter!r} would not be under {area!r}, the area you manage",
    },
    "parent_nowhere": {
        "vi": "đơn vị cấp trên {parent!r} không có trong tệp và trong cơ sở dữ liệu",
        "en": "parent {parent!r} is neither in the file nor in the database",
    },
    "choose_file": {"vi": "Hãy chọn một tệp CSV hoặc Excel", "en": "choose a CSV or Excel file"},
    "upload_again": {
        "vi": "tệp gửi kèm xác nhận bị hỏng; hãy tải tệp lên lại",
        "en": "the file sent with the confirmation is damaged; upload it again",
    },
    "campaign_required": {"vi": "chưa chọn đợt khảo sát", "en": "no campaign given"},
    "file_problems": {
        "vi": "{name}: {n} lỗi; chưa chỉ tiêu nào được thay đổi",
        "en": "{name}: {n} problem(s); no target was changed",
    },
    "file_no_units": {"vi": "tệp không có đơn vị nào", "en": "the file has no units"},
    "not_in_campaign": {
        "vi": "{code!r} không thuộc đợt khảo sát",
        "en": "{code!r} is not in the campaign",
    },
    "also_on_line": {"vi": "{code!r} đã có ở dòng {line}", "en": "{code!r} is also on line {line}"},
    "quotas_unreadable": {
        "vi": "Chưa đọc được chỉ tiêu theo nhóm",
        "en": "the quotas cannot be read",
    },
    "quota_line": {
        "vi": "{line!r}: hãy viết vd. gender=female 45",
        "en": "{line!r}: write e.g. gender=female 45",
    },
    "quotas_not_set": {"vi": "Chưa lưu được chỉ tiêu theo nhóm", "en": "the quotas cannot be set"},
    "quota_questions": {"vi": "chỉ tiêu chỉ theo {questions}", "en": "quotas are by {questions}"},
    "quota_options": {
        "vi": "{question} có các phương án {options}",
        "en": "{question} has options {options}",
    },
    "quota_share": {
        "vi": "tỷ lệ là phần trăm lớn hơn 0, tối đa 100",
        "en": "a share is a percentage above 0, at most 100",
    },
    "quota_total": {
        "vi": "tổng tỷ lệ của {question} là {total} % > 100 %",
        "en": "the shares of {question} add up to {total} % > 100 %",
    },
    # files: reading CSV and Excel uploads (app/core/csvfile.py)
    "not_utf8_code_page": {
        "vi": "{name} không phải văn bản UTF-8: byte {at} (dòng {line}) không giải mã được. "
        "Có vẻ tệp được lưu theo bảng mã Windows (Windows-1258 tiếng Việt hoặc Windows-1252), "
        "là kiểu Excel dùng khi lưu 'CSV (Comma delimited)'. "
        "Hãy lưu tệp dạng 'CSV UTF-8' rồi thử lại.",
        "en": "{name} is not UTF-8 text: byte {at} (line {line}) cannot be decoded. "
        "It looks like a Windows code page (Windows-1258 Vietnamese or Windows-1252), "
        "which Excel writes for 'CSV (Comma delimited)'. "
        "Save the file as 'CSV UTF-8' and try again.",
    },
    "byte_not_utf8": {"vi": "byte {at} không phải UTF-8", "en": "byte {at} is not UTF-8"},
    "not_utf16": {
        "vi": "{name} không phải văn bản UTF-16 hợp lệ sau dòng {line}. "
        "Hãy lưu tệp dạng 'CSV UTF-8' rồi thử lại.",
        "en": "{name} is not valid UTF-16 text after line {line}. "
        "Save the file as 'CSV UTF-8' and try again.",
    },
    "not_utf16_short": {"vi": "không phải UTF-16", "en": "not UTF-16"},
    "xlsx_unreadable": {
        "vi": "{name} có vẻ là tệp Excel nhưng không mở được. "
        "Hãy lưu lại tệp từ Excel, hoặc lưu dạng 'CSV UTF-8'.",
        "en": "{name} looks like an Excel workbook but cannot be opened ({why}). "
        "Save it again from Excel, or as 'CSV UTF-8'.",
    },
    "xlsx_unreadable_short": {
        "vi": "không phải tệp Excel (.xlsx) đọc được",
        "en": "not a readable .xlsx workbook",
    },
    "mojibake": {
        "vi": "{name}, dòng {line}: {word!r} có vẻ là chữ tiếng Việt đã bị mở theo bảng mã "
        "Windows-1252 rồi lưu lại (đúng ra là {fixed!r}). Hãy mở tệp gốc bằng "
        "'Data > From Text/CSV' với bảng mã UTF-8, hoặc lưu dạng 'CSV UTF-8'.",
        "en": "{name}, line {line}: {word!r} looks like Vietnamese text that was opened "
        "as Windows-1252 and saved again (it should read {fixed!r}). Open the "
        "original file with 'Data > From Text/CSV' and the UTF-8 encoding, or save "
        "it as 'CSV UTF-8'.",
    },
    "mojibake_short": {
        "vi": "{word!r} đúng ra là {fixed!r}",
        "en": "{word!r} should read {fixed!r}",
    },
    "csv_unreadable": {
        "vi": "{name}, dòng {line}: dòng này không đọc được như CSV "
        '(thường do dấu ngoặc kép " đặt sai chỗ)',
        "en": "{name}, line {line}: {why}",
    },
    "csv_unreadable_short": {
        "vi": 'không đọc được như CSV (thường do dấu ngoặc kép " đặt sai chỗ)',
        "en": "{why}",
    },
    "cell_too_long": {
        "vi": '{name}: có ô dài hơn {n} ký tự; có thể thiếu dấu ngoặc kép (") đóng?',
        "en": '{name}: a cell is longer than {n:,} characters ({where}); is a quote (") left open?',
    },
    "longer_than": {"vi": "dài hơn {n} ký tự", "en": "longer than {n:,} characters"},
    "chars_at_most": {
        "vi": "dài {n} ký tự; tối đa {limit} ký tự",
        "en": "is {n:,} characters long; at most {limit:,}",
    },
    # paper forms (app/collection/paper.py)
    "channel_paper": {
        "vi": "{raw!r} không hợp lệ; ghi paper (phiếu giấy) hoặc interview (phỏng vấn)",
        "en": "{raw!r}: use paper or interview",
    },
    "place_column_required": {
        "vi": "cần có cột 'unit' (đơn vị) hoặc 'counter' (quầy)",
        "en": "a column 'unit' or 'counter' is required",
    },
    "question_column_missing": {
        "vi": "thiếu cột {column!r} (câu hỏi bắt buộc)",
        "en": "missing column {column!r} (a required question)",
    },
    "cell_not_on_scale": {
        "vi": "giá trị {raw!r} không hợp lệ; chọn từ {lo} đến {hi} hoặc {na} (không áp dụng)",
        "en": "{raw!r} is not a number on the scale ({lo}–{hi}, {na} = not applicable)",
    },
    "cell_not_on_scale_no_na": {
        "vi": "giá trị {raw!r} không hợp lệ; chọn từ {lo} đến {hi}",
        "en": "{raw!r} is not a number on the scale ({lo}–{hi})",
    },
    "counter_not_of_unit": {
        "vi": "quầy {counter!r} không thuộc đơn vị {unit!r}",
        "en": "counter {counter!r} does not belong to unit {unit!r}",
    },
    "place_required": {
        "vi": "chưa ghi đơn vị hoặc quầy của phiếu",
        "en": "give the form's unit or counter",
    },
    "form_imported_differently": {
        "vi": "phiếu này đã được nhập trước đó với câu trả lời khác",
        "en": "form was imported before with different answers",
    },
    # answers, however they arrive (app/questionnaires/answers.py)
    "answer_not_on_scale": {
        "vi": "giá trị {value!r} không hợp lệ; chọn từ {lo} đến {hi} hoặc {na} (không áp dụng)",
        "en": "{value!r} is not on the scale: an integer {lo}–{hi}, or {na} for not applicable",
    },
    "answer_not_on_scale_no_na": {
        "vi": "giá trị {value!r} không hợp lệ; chọn từ {lo} đến {hi}",
        "en": "{value!r} is not on the scale: an integer {lo}–{hi}",
    },
    "answer_ends_form": {
        "vi": "với câu trả lời {value!r}, phiếu kết thúc tại câu hỏi này; không nhận phiếu",
        "en": "the answer {value!r} ends the form at this question; the response is not taken",
    },
    "answer_not_list": {
        "vi": "cần một danh sách mã phương án",
        "en": "expected a list of option codes",
    },
    "answer_not_options": {
        "vi": "{bad} không phải là phương án; chọn trong: {options}",
        "en": "{bad} not an option; one of {options}",
    },
    "answer_twice": {"vi": "có phương án được chọn hai lần", "en": "an option is chosen twice"},
    "answer_too_many": {
        "vi": "đã chọn {n} phương án; chỉ được chọn tối đa {most}",
        "en": "{n} options chosen; at most {most} allowed",
    },
    "answer_too_few": {"vi": "chọn ít nhất {least} phương án", "en": "choose at least {least}"},
    "answer_not_option": {
        "vi": "{value!r} không phải là phương án; chọn trong: {options}",
        "en": "{value!r} is not an option; one of {options}",
    },
    "answer_not_text": {"vi": "cần nhập chữ", "en": "expected text"},
    "answer_too_long": {
        "vi": "{n} ký tự; tối đa {most} ký tự",
        "en": "{n} characters; at most {most}",
    },
    "question_unknown": {
        "vi": "bộ câu hỏi {slug} v{version} không có câu {code!r}",
        "en": "unknown question {code!r} in {slug} v{version}",
    },
    "answer_not_asked": {
        "vi": "câu này không được hỏi với các câu trả lời trước đó, nên không được trả lời",
        "en": "must not be answered unless {cond}",
    },
    "answer_required": {"vi": "cần trả lời câu này", "en": "an answer is required"},
    # units and counters (app/units/service.py)
    "unit_too_deep": {
        "vi": "đơn vị {code!r} sẽ ở cấp {level} của cây đơn vị; tối đa {n} cấp",
        "en": "unit {code!r} would be level {level} of the tree; at most {n}",
    },
    "tree_levels": {"vi": "cây đơn vị có tối đa {n} cấp", "en": "the tree has at most {n} levels"},
    "unit_code_bad": {
        "vi": "{code!r} không phải là mã hợp lệ (chữ, số, . _ -)",
        "en": "{code!r} is not a valid code (letters, digits, . _ -)",
    },
    "counter_code_bad": {
        "vi": "{code!r} không phải là mã hợp lệ (chữ, số, . _ -)",
        "en": "{code!r} is not a valid code",
    },
    "counter_code_reserved": {
        "vi": "{code!r} là từ mà trang khảo sát dùng riêng (/s/{code}); hãy chọn mã khác "
        "(không dùng: {words})",
        "en": "{code!r} is a word the survey pages use themselves (/s/{code}); choose another "
        "code (reserved: {words})",
    },
    "code_twice": {
        "vi": "mã {code!r} bị trùng (lần đầu ở dòng {first})",
        "en": "duplicate code {code!r} (first on line {first})",
    },
    "kind_unknown": {
        "vi": "không có loại đơn vị {kind!r}; dùng một trong: {kinds}",
        "en": "unknown kind {kind!r}; one of {kinds}",
    },
    "valid_to_early": {
        "vi": "ngày kết thúc (valid_to) trước ngày bắt đầu (valid_from)",
        "en": "ends before valid_from",
    },
    "village_under_commune": {
        "vi": "thôn, tổ dân phố phải thuộc một xã, phường (đơn vị {parent} là {kind})",
        "en": "a village must be under a commune ({parent} is a {kind})",
    },
    "own_parent": {
        "vi": "đơn vị không thể là cấp trên của chính nó",
        "en": "a unit cannot be its own parent",
    },
    "unit_would_move": {
        "vi": "đơn vị {code!r} đã có, thuộc {parent!r}; không chuyển được đơn vị sang cấp trên "
        "khác bằng cách nhập tệp",
        "en": "unit {code!r} already exists under {parent!r}; "
        "moving units by import is not supported",
    },
    "unit_would_move_root": {
        "vi": "đơn vị {code!r} đã có và là đơn vị gốc (không có cấp trên); không chuyển được "
        "đơn vị bằng cách nhập tệp",
        "en": "unit {code!r} already exists under 'no parent'; "
        "moving units by import is not supported",
    },
    "parent_cycle": {
        "vi": "các cấp trên của {code!r} tạo thành vòng lặp",
        "en": "parents of {code!r} form a cycle",
    },
    "unit_level_too_deep": {
        "vi": "đơn vị {code!r} sẽ ở cấp {level}; cây đơn vị có tối đa {n} cấp",
        "en": "unit {code!r} would be level {level} of the tree; a tree has at most {n} levels",
    },
    # submissions (app/collection/service.py)
    "has_nul": {"vi": "có ký tự NUL", "en": "contains a NUL character"},
    "has_surrogate": {
        "vi": "có ký tự không hợp lệ (nửa cặp surrogate)",
        "en": "contains an unpaired surrogate",
    },
    "submission_campaign_unknown": {
        "vi": "không có đợt khảo sát {code!r}",
        "en": "unknown campaign {code!r}",
    },
    "submission_campaign_case": {
        "vi": "không có đợt khảo sát {code!r}; có phải {names}? (mã phân biệt chữ hoa, chữ thường)",
        "en": "unknown campaign {code!r}; did you mean {names}?",
    },
    "submission_campaign_not_open": {
        "vi": "đợt khảo sát {code!r} không nhận phiếu (chưa mở hoặc đã đóng)",
        "en": "campaign {code!r} is {status}, not open for responses",
    },
    "counter_outside_campaign": {
        "vi": "quầy {counter!r} thuộc đơn vị {unit!r}, nằm ngoài phạm vi của đợt khảo sát {code!r}",
        "en": "counter {counter!r} belongs to unit {unit!r}, "
        "which is outside the scope of campaign {code!r}",
    },
    "campaign_uses": {
        "vi": "đợt khảo sát {code!r} dùng bộ câu hỏi {slug} v{version}",
        "en": "campaign {code!r} uses {slug} v{version}",
    },
    "no_open_campaign": {
        "vi": "không có đợt khảo sát nào đang mở với bộ câu hỏi {slug} v{version} "
        "cho đơn vị {unit!r} của quầy {counter!r}",
        "en": "no open campaign with {slug} v{version} covers unit {unit!r} of counter {counter!r}",
    },
    "before_2000": {"vi": "là thời điểm trước năm 2000", "en": "is before 2000"},
    "time_in_future": {"vi": "là thời điểm trong tương lai", "en": "is in the future"},
    "started_after_submitted": {
        "vi": "thời điểm bắt đầu sau thời điểm gửi (submitted_at)",
        "en": "is after submitted_at",
    },
    "submission_questionnaire_unknown": {
        "vi": "không có bộ câu hỏi {slug} v{version}",
        "en": "unknown questionnaire {slug} v{version}",
    },
    "submission_differs": {
        "vi": "Phiếu {sid} đã được nhận trước đó với nội dung khác",
        "en": "submission {sid} was already received with different content",
    },
    "id_used": {
        "vi": "mã phiếu đã được dùng cho một phiếu khác",
        "en": "already used for a different response",
    },
    "quota_full": {
        "vi": "Chưa lưu phiếu {sid}: đơn vị đã đủ số phiếu theo chỉ tiêu và đợt khảo sát "
        "ngừng nhận phiếu ở đó",
        "en": "submission {sid} was not stored: the unit has reached its sample target "
        "and the campaign stops accepting responses there",
    },
    "rate_kiosk": {
        "vi": "Máy này đã gửi quá nhiều phiếu trong một phút (tối đa {limit}); "
        "vui lòng chờ một phút rồi gửi lại",
        "en": "too many responses from this kiosk in the last minute (limit {limit}); "
        "wait a minute and send again",
    },
    "rate_counter": {
        "vi": "Quầy này đã nhận quá nhiều phiếu trong một phút (tối đa {limit}); "
        "vui lòng chờ một phút rồi gửi lại",
        "en": "too many responses from this counter in the last minute (limit {limit}); "
        "wait a minute and send again",
    },
    "unstorable_text": {
        "vi": "Phiếu có ký tự không lưu được",
        "en": "the response contains text that cannot be stored",
    },
    "response_invalid": {
        "vi": "Phiếu chưa hợp lệ: {n} lỗi",
        "en": "the response is invalid: {n} problem(s)",
    },
    "being_stored": {
        "vi": "Phiếu {sid} đang được lưu bởi một yêu cầu khác; hãy gửi lại",
        "en": "submission {sid} is being stored by another request; retry",
    },
    "db_cannot_store": {
        "vi": "Cơ sở dữ liệu không lưu được phiếu này",
        "en": "the database cannot store this response",
    },
    "db_refused": {"vi": "cơ sở dữ liệu từ chối một giá trị của phiếu", "en": "{why}"},
    # the citizen's form (app/collection/survey.py)
    "counter_missing": {
        "vi": "Không tìm thấy quầy {code!r}",
        "en": "counter {code!r} does not exist",
    },
    "village_missing": {
        "vi": "Không tìm thấy thôn, tổ dân phố {code!r}",
        "en": "village {code!r} does not exist",
    },
    "village_not_yours": {
        "vi": "Thôn {code!r} không thuộc địa bàn của Ông/Bà hoặc hôm nay không có khảo sát",
        "en": "village {code!r} is not in your area, or has no survey today",
    },
    "village_survey_ended": {
        "vi": "Khảo sát tại thôn {code!r} đã kết thúc",
        "en": "the survey in village {code!r} has ended",
    },
    "village_survey_not_yet": {
        "vi": "Khảo sát tại thôn {code!r} chưa mở",
        "en": "the survey in village {code!r} has not opened yet",
    },
    "village_survey_not_open": {
        "vi": "Không có khảo sát hộ gia đình nào đang mở tại thôn {code!r}",
        "en": "no household survey is open in village {code!r}",
    },
    "village_quota_reached": {
        "vi": "Thôn {code!r} đã nhận đủ số phiếu theo chỉ tiêu",
        "en": "village {code!r} has all the forms its target asks for",
    },
    "survey_ended": {
        "vi": "Khảo sát tại quầy {code!r} đã kết thúc",
        "en": "the survey at counter {code!r} has ended",
    },
    "survey_not_yet": {
        "vi": "Khảo sát tại quầy {code!r} chưa mở",
        "en": "the survey at counter {code!r} has not opened yet",
    },
    "survey_not_open": {
        "vi": "Không có khảo sát nào đang mở tại quầy {code!r}",
        "en": "no survey is open at counter {code!r}",
    },
    "counter_quota_reached": {
        "vi": "Quầy {code!r} đã nhận đủ số phiếu theo chỉ tiêu",
        "en": "counter {code!r} has all the responses its target asks for",
    },
    "questionnaire_not_installed": {
        "vi": "Bộ câu hỏi {slug} v{version} chưa được cài",
        "en": "questionnaire {slug} v{version} is not installed",
    },
    "form_id_missing": {
        "vi": "Biểu mẫu bị hỏng (thiếu mã phiếu); vui lòng bắt đầu lại",
        "en": "the form is damaged (its response id is missing); please start again",
    },
    "not_uuid": {"vi": "không phải là mã UUID", "en": "not a UUID"},
    "form_bad_characters": {
        "vi": "Biểu mẫu có ký tự không được phép",
        "en": "the form contains characters that are not allowed",
    },
    "form_damaged": {"vi": "Biểu mẫu bị hỏng", "en": "the form is damaged"},
    "form_field_damaged": {"vi": "giá trị do trang ghi vào biểu mẫu bị hỏng", "en": "{what}"},
    # kiosks, tablets and counter sheets (app/collection/kiosks.py, tablets.py, sheets.py)
    "enrol_link_unknown": {
        "vi": "Không nhận ra đường dẫn đăng ký máy này",
        "en": "this enrolment link is not known",
    },
    "enrol_link_used": {
        "vi": "Đường dẫn này đã được dùng, cho máy {label!r}",
        "en": "this link was already used, by {label!r}",
    },
    "enrol_link_expired": {
        "vi": "Đường dẫn đăng ký máy này đã hết hạn",
        "en": "this enrolment link has expired",
    },
    "device_missing": {
        "vi": "Không có máy kiosk số {device_id}",
        "en": "kiosk device {device_id} does not exist",
    },
    "tablet_missing": {
        "vi": "Không có máy tính bảng số {device_id}",
        "en": "tablet {device_id} does not exist",
    },
    "counter_outside_yours": {
        "vi": "Quầy này nằm ngoài phạm vi của bạn",
        "en": "this counter is outside your area",
    },
    "submission_not_stored": {
        "vi": "Phiếu {sid} chưa được lưu",
        "en": "submission {sid} is not stored",
    },
    "campaign_no_counters": {
        "vi": "Các đơn vị của đợt khảo sát {code!r} chưa có quầy nào",
        "en": "campaign {code!r} has no counters in its units",
    },
    "sheet_font_bad": {
        "vi": "SHEET_FONT {path!r} không phải là tệp phông chữ",
        "en": "SHEET_FONT {path!r} is not a font file",
    },
    "sheet_font_missing": {
        "vi": "Tờ in PNG và PDF cần một phông chữ TrueType có dấu tiếng Việt: hãy cài một phông "
        "(Debian: fonts-dejavu-core) hoặc đặt SHEET_FONT là đường dẫn tới phông đó. "
        "Tờ in SVG không cần.",
        "en": "PNG and PDF sheets need a TrueType font with Vietnamese letters: install one "
        "(Debian: fonts-dejavu-core) or set SHEET_FONT to its path. SVG sheets need none.",
    },
    "no_counters_to_print": {"vi": "Không có quầy nào để in", "en": "no counters to print"},
    # opening a campaign whose scope overlaps an open one (app/campaigns/counters.py)
    "overlap_refused": {
        "vi": "Chưa mở được đợt khảo sát {code!r}: phạm vi trùng với đợt khảo sát khác đang mở "
        "(xem từng đơn vị bên dưới). Hãy chọn đợt mà mỗi quầy trong phần trùng sẽ nhận phiếu, "
        "hoặc đóng đợt kia trước.",
        "en": "campaign {code!r} was not opened: {where}. Say which campaign each of those "
        "counters feeds ('counters'), or close the other campaign first.",
    },
    "unit_in_open_campaign": {
        "vi": "đã thuộc đợt khảo sát đang mở {campaign!r}",
        "en": "already in open campaign {campaign!r}",
    },
    "counter_feeds": {
        "vi": "chọn đợt khảo sát mà quầy này nhận phiếu: {options}",
        "en": "choose the campaign it feeds: {options}",
    },
    "counter_not_in_overlap": {
        "vi": "không phải là quầy trong phần trùng",
        "en": "is not a counter in the overlap",
    },
    "campaign_not_opened": {
        "vi": "Chưa mở được đợt khảo sát {code!r}",
        "en": "campaign {code!r} was not opened",
    },
    # review (app/campaigns/review.py)
    "response_id_unknown": {
        "vi": "không có phiếu {sid} trong đợt này",
        "en": "{sid}",
    },
    "choose_responses": {
        "vi": "Hãy chọn ít nhất một phiếu",
        "en": "choose at least one response",
    },
    "none_chosen": {"vi": "chưa chọn phiếu nào", "en": "none chosen"},
    "response_not_uuid": {
        "vi": "{raw!r} không phải là mã phiếu (UUID)",
        "en": "{raw!r} is not a response id (a UUID)",
    },
    "audit_admin_only": {
        "vi": "Chỉ quản trị viên xem được nhật ký thao tác",
        "en": "only an admin can read the audit log",
    },
    # signing in and accounts (app/access/service.py, security.py)
    "login_wrong": {"vi": "Sai tên đăng nhập hoặc mật khẩu", "en": "wrong login or password"},
    "login_locked": {
        "vi": "Đã nhập sai mật khẩu quá nhiều lần cho tài khoản này; vui lòng chờ {minutes} phút",
        "en": "too many wrong passwords for this login; wait {minutes} minutes",
    },
    "account_missing": {
        "vi": "Không có tài khoản số {account_id}",
        "en": "account {account_id} does not exist",
    },
    "account_login_missing": {
        "vi": "Không có tài khoản {login!r}",
        "en": "account {login!r} does not exist",
    },
    "reset_own_password": {
        "vi": "Hãy đổi mật khẩu của chính mình ở trang tài khoản của bạn",
        "en": "change your own password on your account page",
    },
    "write_key_only": {
        "vi": "Khóa API quyền ghi chỉ dùng để gửi phiếu",
        "en": "a write-scoped API key only submits responses",
    },
    "api_key_unknown": {
        "vi": "Khóa API không đúng hoặc đã bị thu hồi",
        "en": "the API key is unknown or revoked",
    },
    "sign_in_or_key": {
        "vi": "Hãy đăng nhập, hoặc gửi Authorization: Bearer <khóa API>",
        "en": "sign in or send Authorization: Bearer <API key>",
    },
    "api_keys_read_only": {"vi": "Khóa API chỉ được đọc", "en": "API keys are read-only"},
    "role_cannot_change": {
        "vi": "Vai trò {role} không được thay đổi đợt khảo sát",
        "en": "a {role} cannot change campaigns",
    },
    "sign_in_page": {"vi": "Hãy đăng nhập để xem trang này", "en": "sign in to see this page"},
    # the service itself (app/core, app/main.py)
    "http_error": {"vi": "Yêu cầu này không thực hiện được", "en": "{what}"},
    "db_slow": {
        "vi": "Cơ sở dữ liệu chưa trả lời kịp",
        "en": "database did not answer in time",
    },
    "db_unreachable": {
        "vi": "Không kết nối được cơ sở dữ liệu",
        "en": "database unreachable: {why}",
    },
    "not_found": {"vi": "Không tìm thấy", "en": "not found"},
    "questionnaire_missing_version": {
        "vi": "Không có bộ câu hỏi {slug} v{version}",
        "en": "questionnaire {slug} v{version} does not exist",
    },
    "body_not_utf8": {
        "vi": "Nội dung gửi lên không phải UTF-8: byte {at} (0x{byte}) không giải mã được",
        "en": "the body is not UTF-8: byte {at} (0x{byte}) cannot be decoded",
    },
    "body_too_deep": {
        "vi": "Nội dung gửi lên lồng nhau quá sâu: hơn khoảng {n} cấp",
        "en": "the body is nested too deeply: more than about {n} levels",
    },
    # backup and restore (app/core/backup.py; the operator's command line)
    "backup_backend": {
        "vi": "Không sao lưu được cơ sở dữ liệu {name}: chỉ hỗ trợ PostgreSQL hoặc SQLite",
        "en": "cannot back up a {name} database: PostgreSQL or SQLite only",
    },
    "backup_in_memory": {
        "vi": "Cơ sở dữ liệu SQLite trong bộ nhớ không có gì để sao lưu",
        "en": "an in-memory SQLite database has nothing to back up",
    },
    "backup_tool_missing": {
        "vi": "Chưa cài {name}: công cụ này đi kèm PostgreSQL client "
        "(Debian: apt-get install postgresql-client)",
        "en": "{name} is not installed: it comes with the PostgreSQL client "
        "(Debian: apt-get install postgresql-client)",
    },
    "backup_tool_failed": {"vi": "{name} bị lỗi: {why}", "en": "{name} failed: {why}"},
    "backup_exists": {
        "vi": "Đã có tệp {path}: hãy chọn tên khác hoặc thêm --overwrite",
        "en": "{path} exists already: choose another name or pass --overwrite",
    },
    "backup_no_folder": {
        "vi": "Không có thư mục {path}",
        "en": "folder {path} does not exist",
    },
    "backup_no_sqlite": {
        "vi": "Không có cơ sở dữ liệu SQLite {path}",
        "en": "SQLite database {path} does not exist",
    },
    "backup_unreadable": {
        "vi": "Không đọc được {path}: {why}",
        "en": "cannot read {path}: {why}",
    },
    "backup_not_ours": {
        "vi": "{path} không phải là bản sao lưu do 'sipas db backup' tạo ra",
        "en": "{path} is not a backup made by 'sipas db backup'",
    },
    "backup_other_kind": {
        "vi": "{path} là bản sao lưu {kind}, còn cơ sở dữ liệu là {backend}: "
        "hãy khôi phục vào cơ sở dữ liệu cùng loại",
        "en": "{path} is a {kind} backup and the database is {backend}: "
        "restore it into a database of the same kind",
    },
    "restore_not_empty": {
        "vi": "Cơ sở dữ liệu không trống: hãy khôi phục vào một cơ sở dữ liệu mới, "
        "hoặc thêm --replace để ghi đè toàn bộ",
        "en": "the database is not empty: restore into a new database, "
        "or pass --replace to overwrite everything it holds",
    },
    "backup_damaged": {"vi": "{path} bị hỏng: {why}", "en": "{path} is damaged: {why}"},
    "backup_not_restored": {
        "vi": "Không khôi phục được {path}: {why}",
        "en": "{path} cannot be restored: {why}",
    },
    # results (app/reporting/indices.py, api.py)
    "outside_campaign_scope": {
        "vi": "nằm ngoài phạm vi của đợt khảo sát",
        "en": "outside the campaign's scope",
    },
    "sort_unknown": {"vi": "không có cách sắp xếp {sort!r}", "en": "unknown sort {sort!r}"},
    "pdf_campaign_only": {
        "vi": "Báo cáo in (PDF) là báo cáo của cả đợt khảo sát",
        "en": "the printed report covers a campaign",
    },
    "pdf_use_campaign": {
        "vi": "PDF: dùng /api/v1/campaigns/{{campaign}}/indices",
        "en": "pdf: use /api/v1/campaigns/{{campaign}}/indices",
    },
    # publishing (app/reporting/editions.py)
    "not_published": {
        "vi": "Đợt khảo sát {code!r} chưa công bố kết quả",
        "en": "campaign {code!r} has no published results",
    },
    "edition_unknown": {
        "vi": "Đợt {code!r} không có bản công bố số {number}",
        "en": "campaign {code!r} has no edition {number}",
    },
    "edition_view_missing": {
        "vi": "Bản công bố số {number} của đợt {code!r} không có bảng này ({view})",
        "en": "edition {number} of campaign {code!r} holds no such table ({view})",
    },
    "edition_fixed": {
        "vi": "Kết quả đã công bố là cố định; không áp dụng được tham số {names}",
        "en": "published results are fixed; {names} cannot be applied to them",
    },
    "publish_not_closed": {
        "vi": "Đợt {code!r} đang ở trạng thái {status}: chỉ công bố khi đã đóng, hoặc công bố "
        "kết quả sơ bộ",
        "en": "campaign {code!r} is {status}: publish it once closed, or publish preliminary "
        "(interim) results",
    },
    "publish_draft": {
        "vi": "Đợt {code!r} chưa mở: chưa có kết quả để công bố",
        "en": "campaign {code!r} has not been opened: there are no results to publish",
    },
    "publish_private": {
        "vi": "Đợt {code!r} được đặt là không công bố; hãy bỏ đánh dấu đó trước",
        "en": "campaign {code!r} is private; make it public before publishing",
    },
    "publish_note_required": {
        "vi": "Hãy ghi chú điều đã sửa so với bản công bố số {number} (1–1000 ký tự)",
        "en": "say what changed since edition {number} (1–1000 characters)",
    },
    "unpublish_reason_required": {
        "vi": "Hãy ghi lý do thu hồi kết quả đã công bố (1–1000 ký tự)",
        "en": "say why the published results are withdrawn (1–1000 characters)",
    },
    "unpublish_nothing": {
        "vi": "Đợt {code!r} không có kết quả đang công bố",
        "en": "campaign {code!r} has no published results to withdraw",
    },
    "chars_1_1000": {"vi": "1–1000 ký tự", "en": "1–1000 characters"},
    # collection
    "outside_period": {
        "vi": "ngày trả lời nằm ngoài thời gian của đợt khảo sát {campaign!r} "
        "({starts:%d/%m/%Y} – {ends:%d/%m/%Y})",
        "en": "is outside the period of campaign {campaign!r} ({starts:%Y-%m-%d} to {ends:%Y-%m-%d})",
    },
    # results filters
    "filters_invalid": {
        "vi": "Bộ lọc kết quả chưa đúng",
        "en": "invalid report filters",
    },
    "filter_not_option": {
        "vi": "{value!r} không phải là một lựa chọn (có: {options})",
        "en": "{value!r} is not an option ({options})",
    },
    "filter_no_question": {
        "vi": "{value!r}: bộ câu hỏi này không có câu hỏi đó",
        "en": "{value!r} is not an option (none in this questionnaire)",
    },
    "scoring_one_scale": {
        "vi": "Cách tính {value} cần mọi câu hỏi của chỉ số trên cùng một thang đo",
        "en": "scoring {value} needs every item of the index on one scale",
    },
    "scoring_one_scale_field": {
        "vi": "{value!r}: các câu hỏi của chỉ số dùng nhiều thang đo khác nhau; hãy dùng top2box",
        "en": "{value!r}: the index items are on different scales; use top2box",
    },
    "compare_no_mapping": {
        "vi": "Không so sánh được với đợt {campaign!r}: đợt này dùng bộ câu hỏi "
        "{questionnaire}, đợt đó dùng {previous}, và chưa có bảng đối chiếu giữa hai bộ "
        "câu hỏi (questionnaires/mappings/)",
        "en": "cannot compare with campaign {campaign!r}: this campaign uses questionnaire "
        "{questionnaire}, that one {previous}, and no mapping between the two exists "
        "(questionnaires/mappings/)",
    },
    "compare_no_mapping_field": {
        "vi": "{value!r} dùng bộ câu hỏi {previous}; chưa có bảng đối chiếu",
        "en": "{value!r} uses questionnaire {previous}; no mapping to it",
    },
    "combine_unknown": {
        "vi": "Cách gộp {value!r} không áp dụng được cho bộ câu hỏi này",
        "en": "combine {value!r} does not apply to this questionnaire",
    },
    "combine_not_offered": {
        "vi": "{value!r} không phải là cách gộp bộ câu hỏi này cho chọn (có: {offered})",
        "en": "{value!r} is not a way this questionnaire lets its index be combined ({offered})",
    },
    "date_before_from": {
        "vi": "ngày cuối trước ngày đầu",
        "en": "is before date_from",
    },
    "date_range": {
        "vi": "ngày phải trong khoảng {lo} đến {hi}",
        "en": "must be between {lo} and {hi}",
    },
    "level_unknown": {"vi": "không có cấp {level!r}", "en": "unknown level {level!r}"},
    # comments
    "hide_reason_required": {
        "vi": "Hãy ghi lý do ẩn ý kiến (1–500 ký tự)",
        "en": "say why the comment is hidden (1–500 characters)",
    },
    "comment_unknown": {
        "vi": "Phiếu {sid} không có ý kiến ở câu {question!r}",
        "en": "response {sid} has no comment in {question!r}",
    },
    "comment_already_hidden": {
        "vi": "Ý kiến của phiếu {sid} ở câu {question!r} đã được ẩn",
        "en": "the comment of response {sid} in {question!r} is hidden already",
    },
    "comment_not_hidden": {
        "vi": "Ý kiến của phiếu {sid} ở câu {question!r} đang hiện",
        "en": "the comment of response {sid} in {question!r} is not hidden",
    },
    # review
    "unknown_flag": {"vi": "không có cảnh báo {flag!r}", "en": "unknown flag {flag!r}"},
    "one_of": {"vi": "một trong: {known}", "en": "one of {known}"},
    "reason_required": {
        "vi": "Hãy ghi lý do loại phiếu (1–500 ký tự)",
        "en": "say why the response is excluded (1–500 characters)",
    },
    "chars_1_500": {"vi": "1–500 ký tự", "en": "1–500 characters"},
    "response_unknown": {
        "vi": "Phiếu {sid} không thuộc đợt {code!r}",
        "en": "response {sid} is not in campaign {code!r}",
    },
    "response_outside": {
        "vi": "Phiếu {sid} thuộc đơn vị ngoài phạm vi của bạn",
        "en": "response {sid} belongs to a unit outside your area",
    },
    "response_not_id": {
        "vi": "{raw!r} không phải là mã phiếu",
        "en": "{raw!r} is not a response id",
    },
    "already_excluded": {
        "vi": "Phiếu {sid} đã bị loại",
        "en": "response {sid} is already excluded",
    },
    "not_excluded": {"vi": "Phiếu {sid} chưa bị loại", "en": "response {sid} is not excluded"},
    # access
    "role_read_only": {
        "vi": "Vai trò {role} chỉ được xem",
        "en": "a {role} can only read",
    },
    "role_cannot_review": {
        "vi": "Vai trò {role} không được loại hay khôi phục phiếu",
        "en": "a {role} cannot exclude or restore responses",
    },
    "outside_area": {
        "vi": "Ngoài phạm vi của bạn: {codes}",
        "en": "outside your area: {codes}",
    },
    "unit_outside_area": {
        "vi": "Đơn vị {code!r} nằm ngoài phạm vi của bạn",
        "en": "unit {code!r} is outside your area",
    },
    "admin_only_page": {
        "vi": "Chỉ quản trị viên xem được trang này",
        "en": "only an admin can see this page",
    },
    "admin_only": {"vi": "Chỉ quản trị viên làm được việc này", "en": "only an admin can do this"},
    "counter_or_unit_missing": {
        "vi": "hãy ghi mã quầy (counter) hoặc, ở đợt khảo sát hộ gia đình, mã thôn (unit)",
        "en": "give a counter code or, in a household campaign, a village code (unit)",
    },
    "counter_or_unit": {
        "vi": "chỉ ghi một trong hai: mã quầy (counter) hoặc mã thôn (unit)",
        "en": "give either a counter or a unit, not both",
    },
    "unit_unknown_code": {"vi": "không có đơn vị mã {code}", "en": "no unit has the code {code}"},
    "interviewer_unknown": {
        "vi": "không có điều tra viên đăng nhập bằng {login}",
        "en": "no interviewer signs in as {login}",
    },
    "unknown_interviewer": {
        "vi": "Không lọc được theo điều tra viên {login}",
        "en": "cannot filter by interviewer {login}",
    },
    "campaign_kind_choice": {"vi": "hãy chọn counter hoặc household", "en": "counter or household"},
    "interviewer_forms_only": {
        "vi": "Tài khoản điều tra viên chỉ dùng để điền phiếu (trang /s/interview)",
        "en": "an interviewer account only fills forms (page /s/interview)",
    },
    "coordinator_interviewers_only": {
        "vi": "Điều phối viên chỉ tạo được tài khoản điều tra viên",
        "en": "a coordinator can only create interviewer accounts",
    },
    "form_stale": {
        "vi": "Biểu mẫu đã cũ hoặc không gửi từ trang này; hãy tải lại trang và thử lại",
        "en": "the form is out of date or was not sent from this site; reload and retry",
    },
    "login_form_stale": {
        "vi": "Trang đăng nhập đã cũ; hãy tải lại trang và thử lại",
        "en": "the sign-in form is out of date; reload the page and try again",
    },
    "choose_area": {"vi": "Hãy chọn phạm vi", "en": "choose an area"},
    "area_required": {"vi": "bắt buộc, trong phạm vi của bạn", "en": "required inside your area"},
    "unknown_unit": {"vi": "không có đơn vị này", "en": "unknown unit"},
    "account_not_created": {"vi": "Chưa tạo được tài khoản", "en": "the account cannot be created"},
    "account_exists": {"vi": "Đã có tài khoản {login!r}", "en": "account {login!r} already exists"},
    "login_shape": {
        "vi": "1–120 ký tự, không có dấu cách",
        "en": "1–120 characters without spaces",
    },
    "role_one_of": {"vi": "hãy chọn một vai trò trong danh sách", "en": "one of {roles}"},
    "password_short": {"vi": "ít nhất {n} ký tự", "en": "at least {n} characters"},
    "new_password_short": {"vi": "Mật khẩu mới quá ngắn", "en": "the new password is too short"},
    "current_password_wrong": {
        "vi": "Mật khẩu hiện tại không đúng",
        "en": "the current password is wrong",
    },
    "wrong_password": {"vi": "sai mật khẩu", "en": "wrong password"},
    "passwords_differ": {
        "vi": "Hai mật khẩu mới không giống nhau",
        "en": "the two new passwords differ",
    },
    "not_the_same": {"vi": "không giống nhau", "en": "not the same"},
    "account_outside": {
        "vi": "Tài khoản này nằm ngoài phạm vi của bạn",
        "en": "that account is outside your area",
    },
    "not_yourself": {
        "vi": "Bạn không thể tự khóa tài khoản của mình",
        "en": "you cannot disable your own account",
    },
    "key_outside": {
        "vi": "Khóa này có đơn vị ngoài phạm vi của bạn",
        "en": "that key covers units outside your area",
    },
    "key_unknown": {"vi": "Không có khóa API {key_id}", "en": "API key {key_id} does not exist"},
    "label_length": {"vi": "Tên gọi phải có 1–100 ký tự", "en": "label must be 1–100 characters"},
    "chars_1_100": {"vi": "1–100 ký tự", "en": "1–100 characters"},
    "scope_read_write": {"vi": "Quyền phải là đọc hoặc ghi", "en": "scope must be read or write"},
    "read_or_write": {"vi": "đọc hoặc ghi", "en": "read or write"},
    # core
    "bad_characters": {
        "vi": "Nội dung gửi lên có ký tự không được phép",
        "en": "the request contains characters that are not allowed",
    },
    "nul_at": {
        "vi": "có ký tự NUL ở vị trí {at}",
        "en": "contains a NUL character at position {at}",
    },
    "surrogate_at": {
        "vi": "có ký tự không hợp lệ (nửa cặp surrogate) ở vị trí {at}",
        "en": "contains a lone surrogate (not valid Unicode) at position {at}",
    },
    "invalid_fields": {"vi": "{n} trường chưa đúng", "en": "{n} invalid field(s)"},
    "invalid_value": {"vi": "giá trị không hợp lệ", "en": "{what}"},
    "int_parsing": {"vi": "không phải là số nguyên", "en": "{what}"},
    "choice_invalid": {"vi": "không phải là một lựa chọn có sẵn", "en": "{what}"},
    "not_found_page": {"vi": "Không tìm thấy trang này", "en": "Not Found"},
    "method_not_allowed": {"vi": "Trang này không nhận thao tác đó", "en": "Method Not Allowed"},
    "busy_queue": {
        "vi": "Hệ thống đang bận: cơ sở dữ liệu chưa trả lời kịp; vui lòng thử lại sau ít phút",
        "en": "the service is busy: the database did not answer in time; try again shortly",
    },
    "busy_pool": {
        "vi": "Hệ thống đang bận: chưa có kết nối cơ sở dữ liệu rảnh; vui lòng thử lại sau ít phút",
        "en": "the service is busy: no database connection was free; try again shortly",
    },
    "busy_down": {
        "vi": "Cơ sở dữ liệu tạm thời không trả lời; vui lòng thử lại sau ít phút",
        "en": "the database is not answering at the moment; try again shortly",
    },
    "internal": {
        "vi": "Lỗi hệ thống; đã được ghi lại",
        "en": "internal error; it has been logged",
    },
    "not_utf8": {
        "vi": "{name} không phải văn bản UTF-8: byte {at} (dòng {line}) không giải mã được. "
        "Hãy lưu tệp dạng 'CSV UTF-8' rồi thử lại.",
        "en": "{name} is not UTF-8 text: byte {at} (line {line}) cannot be decoded. "
        "Save the file as 'CSV UTF-8' and try again.",
    },
    "not_utf8_short": {"vi": "không phải UTF-8", "en": "not UTF-8"},
    "csv_empty": {
        "vi": "{name} trống: cần một dòng tiêu đề",
        "en": "{name} is empty: expected a header row",
    },
    "csv_missing_column": {"vi": "thiếu cột {column!r}", "en": "missing column {column!r}"},
    "csv_unknown_column": {"vi": "cột lạ {column!r}", "en": "unknown column {column!r}"},
    "csv_twice": {
        "vi": "cột {column!r} xuất hiện hai lần",
        "en": "column {column!r} appears twice",
    },
    "csv_bad_header": {
        "vi": "{name}: dòng tiêu đề chưa đúng (các cột cần có: {expected})",
        "en": "{name}: bad header (expected columns: {expected})",
    },
    "csv_width": {
        "vi": "có {n} ô, dòng tiêu đề có {expected}",
        "en": "has {n} fields, the header has {expected}",
    },
    # questionnaires uploaded by an administrator (app/questionnaires/authoring.py)
    "questionnaire_refused": {
        "vi": "{name}: bộ câu hỏi chưa được lưu, có {n} lỗi (mỗi lỗi ghi trang, dòng, cột)",
        "en": "{name}: the questionnaire is refused, {n} mistake(s) (each names sheet, "
        "row and column); nothing was stored",
    },
    # One mistake of an upload, already in the reader's language (authoring_text.py).
    "questionnaire_problem": {"vi": "{message}", "en": "{message}"},
    "questionnaire_too_large": {
        "vi": "Tệp bộ câu hỏi quá lớn (tối đa {limit} MB)",
        "en": "the questionnaire file is too large (at most {limit} MB)",
    },
    # comments chosen for the printed report (app/campaigns/comments.py)
    "comment_hidden_not_chosen": {
        "vi": "Ý kiến của phiếu {sid} ở câu {question!r} đã bị ẩn (phản cảm), không thể "
        "đưa vào báo cáo",
        "en": "the comment of response {sid} in {question!r} is hidden and cannot be chosen "
        "for the report",
    },
    "comment_already_chosen": {
        "vi": "Ý kiến của phiếu {sid} ở câu {question!r} đã được đưa vào báo cáo",
        "en": "the comment of response {sid} in {question!r} is in the report already",
    },
    "comment_not_chosen": {
        "vi": "Ý kiến của phiếu {sid} ở câu {question!r} chưa được đưa vào báo cáo",
        "en": "the comment of response {sid} in {question!r} is not in the report",
    },
}

LANGS = ("vi", "en")


def text(key: str, lang: str, /, **params: object) -> str:
    """The message `key` in `lang` (Vietnamese when the language is unknown)."""
    entry = MESSAGES[key]
    return (entry.get(lang) or entry["vi"]).format(**params)
