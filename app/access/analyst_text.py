"""Dashboard words for the analyst's tools: the results page's level, comparison,
filters, flags and downloads, and the citizens' comments.

Merged into the dashboard tables (app/access/dash_text.py), as tablet_text is.
"""

from app.core import labels

UI: dict[str, dict[str, str]] = {
    # results: what to show
    "results_ask": {"vi": "Chọn số liệu cần xem", "en": "Choose what to show"},
    "level_default": {"vi": "Đơn vị trực thuộc (mặc định)", "en": "Units directly below (default)"},
    "compare_with": {"vi": "So sánh với đợt", "en": "Compare with campaign"},
    "compare_none": {"vi": "Không so sánh", "en": "No comparison"},
    "filter_respondents": {
        "vi": "Lọc theo người trả lời, kênh, ngày",
        "en": "Filter by respondent, channel, dates",
    },
    "show_results": {"vi": "Xem kết quả", "en": "Show results"},
    "clear_filters": {"vi": "Bỏ lọc", "en": "Clear the choices"},
    "not_shown": {"vi": "Chưa hiện được kết quả:", "en": "Results not shown:"},
    "filtered": {
        "vi": "đã lọc (chỉ tính các phiếu phù hợp)",
        "en": "filtered (matching responses only)",
    },
    "no_units": {"vi": "Không có đơn vị nào ở cấp này.", "en": "No units at this level."},
    "league_ranked": {
        "vi": "xếp hạng {n}/{of} đơn vị (mỗi loại đơn vị xếp hạng riêng)",
        "en": "{n} of {of} units ranked (each kind of unit is ranked among its own)",
    },
    "change": {"vi": "Thay đổi", "en": "Change"},
    "change_help": {
        "vi": "Điểm SIPAS và số bậc xếp hạng thay đổi so với đợt {code}",
        "en": "SIPAS points and rank places gained since campaign {code}",
    },
    "change_help_across": {
        "vi": "{name}: số điểm và số bậc thay đổi so với chỉ số tương ứng của đợt {code} "
        "(bộ câu hỏi khác, theo bảng đối chiếu)",
        "en": "{name}: points and places gained against its counterpart in campaign {code} "
        "(another questionnaire, through the mapping)",
    },
    "change_column_shows": {
        "vi": "Cột Thay đổi là của chỉ số {name}.",
        "en": "The Change column is that of {name}.",
    },
    "comparison_across": {
        "vi": "So sánh giữa hai phương pháp",
        "en": "Comparing two methods",
    },
    "not_comparable": {"vi": "Không so sánh được", "en": "Not comparable"},
    "places": {"vi": "{n} bậc", "en": "{n} places"},
    "previous_note": labels.PREVIOUS_FLAG,
    "units_below_of": {"vi": "Các đơn vị trực thuộc {unit}", "en": "Units below {unit}"},
    "loc_gender": {"vi": "Giới tính", "en": "Gender"},
    "loc_age_band": {"vi": "Nhóm tuổi", "en": "Age band"},
    "loc_respondent_type": {"vi": "Đối tượng", "en": "Respondent type"},
    "loc_service_field": {"vi": "Lĩnh vực thủ tục", "en": "Service field"},
    "loc_channel": {"vi": "Kênh thu phiếu", "en": "Channel"},
    "loc_date_from": {"vi": "Từ ngày", "en": "From"},
    "loc_date_to": {"vi": "Đến ngày", "en": "To"},
    "loc_compare": {"vi": "So sánh với đợt", "en": "Compare with"},
    "loc_q": {"vi": "Tìm", "en": "Search"},
    "loc_question": {"vi": "Câu hỏi", "en": "Question"},
    # results: why a unit is not ranked
    "not_ranked": {"vi": "Không xếp hạng vì", "en": "Not ranked because"},
    "uf_small_sample": {"vi": "mẫu nhỏ", "en": "small sample"},
    "uf_incomplete": {"vi": "thiếu số liệu", "en": "incomplete"},
    "ufx_small_sample": {
        "vi": "{item}: {n} câu trả lời hợp lệ, cần ít nhất {min}",
        "en": "{item}: {n} valid answers, {min} needed",
    },
    "ufx_incomplete": {
        "vi": "không tính được: {missing}",
        "en": "cannot be computed: {missing}",
    },
    "ufx_incomplete_empty": {
        "vi": "chưa có câu trả lời hợp lệ",
        "en": "no valid answers yet",
    },
    # results: documents
    "downloads": {"vi": "Tải về", "en": "Downloads"},
    "dl_results": {"vi": "Kết quả:", "en": "Results:"},
    "dl_edition": {
        "vi": "Bản công bố lần {n}, {date}:",
        "en": "Published edition {n}, {date}:",
    },
    "dl_edition_interim": {
        "vi": "Bản công bố sơ bộ lần {n}, {date}:",
        "en": "Interim edition {n}, {date}:",
    },
    "dl_results_internal": {
        "vi": "Số liệu nội bộ hiện tại:",
        "en": "Current internal figures:",
    },
    "dl_microdata": {"vi": "Dữ liệu từng phiếu:", "en": "Response microdata:"},
    "dl_other_lang": {"vi": "Bản tiếng Anh:", "en": "In Vietnamese:"},
    "dl_xlsx": {"vi": "Excel (.xlsx)", "en": "Excel (.xlsx)"},
    "dl_wide": {"vi": "Bảng CSV", "en": "Table CSV"},
    "dl_long": {"vi": "CSV đầy đủ (dạng dài)", "en": "Full CSV (long)"},
    "dl_pdf": {"vi": "Báo cáo PDF", "en": "PDF report"},
    "dl_micro_sav": {"vi": "SPSS (.sav)", "en": "SPSS (.sav)"},
    "dl_micro_dta": {"vi": "Stata (.dta)", "en": "Stata (.dta)"},
    "dl_micro_csv": {"vi": "CSV", "en": "CSV"},
    "dl_micro_xlsx": {"vi": "Excel", "en": "Excel"},
    # comments
    "comments": {"vi": "Ý kiến người dân", "en": "Citizens' comments"},
    "comment": {"vi": "Ý kiến", "en": "Comment"},
    "search": {"vi": "Tìm", "en": "Search"},
    "search_help": {"vi": "Từ cần tìm trong ý kiến", "en": "Words to find in the comments"},
    "every_question": {"vi": "Mọi câu hỏi tự do", "en": "Every free-text question"},
    "every_unit": {"vi": "Mọi đơn vị", "en": "Every unit"},
    "cstate_shown": {"vi": "Đang hiện", "en": "Shown"},
    "cstate_hidden": {"vi": "Đã ẩn (phản cảm)", "en": "Hidden (abusive)"},
    "cstate_all": {"vi": "Tất cả", "en": "All"},
    "no_comments": {"vi": "Không có ý kiến nào phù hợp.", "en": "No comments match."},
    "comments_found": {"vi": "{n} ý kiến", "en": "{n} comments"},
    "hide_comment": {"vi": "Ẩn (phản cảm)", "en": "Hide (abusive)"},
    "show_comment": {"vi": "Hiện lại", "en": "Show again"},
    "hide_reason": {"vi": "Lý do ẩn", "en": "Why hide it"},
    "hidden_by": {"vi": "Đã ẩn {when}, {who}: {reason}", "en": "Hidden {when} by {who}: {reason}"},
    "comment_hidden": {"vi": "Đã ẩn ý kiến.", "en": "The comment is hidden."},
    "comment_shown": {"vi": "Ý kiến đã hiện lại.", "en": "The comment is shown again."},
    "comments_export": {"vi": "Tải ý kiến:", "en": "Download comments:"},
    "comments_note": {
        "vi": "Ý kiến bị ẩn không xuất hiện trong tệp tải về (kể cả dữ liệu từng phiếu); "
        "phiếu vẫn được tính vào chỉ số.",
        "en": "Hidden comments are left out of every download (the microdata too); the "
        "response still counts in the indices.",
    },
    "view_response": {"vi": "Xem phiếu", "en": "View response"},
    "back_to_comments": {"vi": "Về danh sách ý kiến", "en": "Back to the comments"},
    "act_comment.hide": {"vi": "Ẩn ý kiến", "en": "Hid a comment"},
    "act_comment.show": {"vi": "Hiện lại ý kiến", "en": "Showed a comment again"},
    "dk_question": {"vi": "Câu hỏi", "en": "Question"},
    # comments chosen for the printed report
    "choose_comment": {"vi": "Đưa vào báo cáo", "en": "Include in the report"},
    "unchoose_comment": {"vi": "Bỏ khỏi báo cáo", "en": "Take out of the report"},
    "comment_in_report": {"vi": "Trong báo cáo", "en": "In the report"},
    "comment_chosen": {
        "vi": "Ý kiến sẽ được in trong báo cáo PDF.",
        "en": "The comment will be printed in the PDF report.",
    },
    "comment_unchosen": {
        "vi": "Ý kiến không còn trong báo cáo PDF.",
        "en": "The comment is no longer in the PDF report.",
    },
    "cstate_chosen": {"vi": "Đưa vào báo cáo", "en": "In the report"},
    "act_comment.choose": {"vi": "Đưa ý kiến vào báo cáo", "en": "Chose a comment for the report"},
    "act_comment.unchoose": {
        "vi": "Bỏ ý kiến khỏi báo cáo",
        "en": "Took a comment out of the report",
    },
    # results: rank intervals and the label against the median (issue 16 §2)
    "vs_above": {"vi": "Cao hơn trung vị", "en": "Above the median"},
    "vs_indistinguishable": {
        "vi": "Không phân biệt được với trung vị",
        "en": "Not distinguishable from the median",
    },
    "vs_below": {"vi": "Thấp hơn trung vị", "en": "Below the median"},
    "rank_interval_of": {
        "vi": "Khoảng xếp hạng 95%: từ hạng {best} đến hạng {worst}",
        "en": "95% rank interval: from place {best} to place {worst}",
    },
    "rank_legend": {
        "vi": "Hạng (khoảng xếp hạng 95%): với số phiếu đã thu, hạng thật của đơn vị nằm "
        "trong khoảng trong ngoặc; khoảng rộng nghĩa là số liệu chưa đủ để phân định thứ hạng. "
        "Cao hơn / thấp hơn trung vị: khoảng tin cậy 95% của SIPAS nằm hẳn trên / dưới trung "
        "vị của nhóm; không phân biệt được: khoảng đó chứa trung vị.",
        "en": "Rank (95% rank interval): given the responses collected, the unit's true "
        "place lies in the bracketed range; a wide range means the data cannot place it more "
        "precisely. Above / below the median: the SIPAS 95% interval lies wholly above / "
        "below the league's median; not distinguishable: it contains the median.",
    },
}
