"""Every word the respondent pages show, in Vietnamese and English.

Questionnaire wording lives in the questionnaire files; this holds the words of the
pages around it, and turns the answer checker's problems into sentences a
respondent understands, in their language.
"""

from app.core import messages
from app.core.errors import FieldError
from app.questionnaires.catalog import Question, Questionnaire
from app.web import kiosk_text

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
# The switch names the other language in that language, as people look for it.
OTHER = {"vi": ("en", "English"), "en": ("vi", "Tiếng Việt")}

UI: dict[str, dict[str, str]] = {
    "brand": {"vi": "Khảo sát sự hài lòng", "en": "Satisfaction survey"},
    "at": {"vi": "Tại", "en": "At"},
    "anonymous": {
        "vi": "Phiếu ẩn danh: không hỏi họ tên, số điện thoại hay số giấy tờ.",
        "en": "Anonymous: we never ask your name, phone or ID number.",
    },
    "minutes": {"vi": "Khoảng 3 phút.", "en": "About three minutes."},
    "why": {
        "vi": "Ý kiến của Ông/Bà giúp cơ quan phục vụ tốt hơn.",
        "en": "Your answers help the agency serve people better.",
    },
    "start": {"vi": "Bắt đầu", "en": "Start"},
    "full_title": {"vi": "Xin cảm ơn Ông/Bà", "en": "Thank you"},
    "full_body": {
        "vi": "Đợt khảo sát tại quầy này đã nhận đủ số phiếu cần thiết. "
        "Cảm ơn Ông/Bà đã sẵn lòng góp ý.",
        "en": "This counter has already collected all the responses this survey needs. "
        "Thank you for being willing to help.",
    },
    "next": {"vi": "Tiếp", "en": "Next"},
    "back": {"vi": "Quay lại", "en": "Back"},
    "send": {"vi": "Gửi phiếu", "en": "Send"},
    "part": {"vi": "Phần {n}/{total}", "en": "Part {n} of {total}"},
    "piece": {"vi": "{n}/{total}", "en": "{n} of {total}"},
    "rate_hint": {
        "vi": "Ông/Bà hài lòng ở mức nào với từng nội dung sau?",
        "en": "How satisfied are you with each of the following?",
    },
    "required": {"vi": "bắt buộc", "en": "required"},
    "optional_hint": {"vi": "(không bắt buộc)", "en": "(optional)"},
    # A show-if condition as a sentence: the question it depends on and the choices.
    "only_if": {"vi": "Chỉ trả lời câu này nếu {conds}.", "en": "Answer this only if {conds}."},
    "only_if_part": {
        "vi": "ở câu “{question}” Ông/Bà đã chọn {choices}",
        "en": "you chose {choices} for “{question}”",
    },
    "and": {"vi": "và", "en": "and"},
    "or": {"vi": "hoặc", "en": "or"},
    "choose_up_to": {"vi": "Chọn tối đa {n}.", "en": "Choose up to {n}."},
    "choose_any": {"vi": "Chọn một hoặc nhiều.", "en": "Choose one or more."},
    "errors_title": {
        "vi": "Vui lòng xem lại {n} câu hỏi:",
        "en": "Please check {n} question(s):",
    },
    "missing": {
        "vi": "Còn {n} câu trong phần này chưa trả lời hoặc cần sửa.",
        "en": "{n} question(s) in this part still need an answer or a correction.",
    },
    "err_required": {"vi": "Vui lòng trả lời câu hỏi này.", "en": "Please answer this question."},
    "err_value": {
        "vi": "Câu trả lời này không hợp lệ, vui lòng chọn lại.",
        "en": "This answer is not valid; please choose again.",
    },
    "err_too_many": {"vi": "Chỉ chọn tối đa {n}.", "en": "Choose at most {n}."},
    "err_bad_text": {
        "vi": "Câu trả lời có ký tự không hợp lệ, vui lòng nhập lại.",
        "en": "This answer contains characters that are not allowed; please type it again.",
    },
    "bad_text_body": {
        "vi": "Đường dẫn có ký tự không hợp lệ. Vui lòng quét lại mã QR tại quầy.",
        "en": "The link contains characters that are not allowed. "
        "Please scan the QR code at the counter again.",
    },
    "err_too_long": {"vi": "Tối đa {n} ký tự.", "en": "At most {n} characters."},
    "thanks_title": {"vi": "Xin cảm ơn!", "en": "Thank you!"},
    "thanks_body": {
        "vi": "Phiếu của Ông/Bà đã được ghi nhận.",
        "en": "Your answers have been recorded.",
    },
    "thanks_what": {
        "vi": "Phiếu được tổng hợp ẩn danh cùng các phiếu khác để tính chỉ số hài lòng "
        "của cơ quan; kết quả được công bố sau khi đợt khảo sát kết thúc.",
        "en": "Your answers are counted anonymously with everyone else's to compute the "
        "agency's satisfaction index; the results are published after the survey ends.",
    },
    "complaint_intro": {
        "vi": "Phiếu này không phải là đơn phản ánh. Nếu Ông/Bà muốn phản ánh, kiến nghị "
        "về hồ sơ của mình:",
        "en": "This survey is not a complaint. To complain or make a suggestion about your case:",
    },
    "complaint_call": {"vi": "gọi đường dây nóng", "en": "call the hotline"},
    "complaint_online": {"vi": "gửi phản ánh trực tuyến tại", "en": "write online at"},
    "complaint_counter": {
        "vi": "hoặc hỏi tại Bộ phận Một cửa.",
        "en": "or ask at the one-stop counter.",
    },
    "thanks_complaint": {
        "vi": "Phiếu này không phải là đơn phản ánh. Nếu Ông/Bà muốn phản ánh, kiến nghị "
        "về hồ sơ của mình, vui lòng liên hệ Bộ phận Một cửa hoặc gửi qua Cổng Dịch vụ "
        "công quốc gia (dichvucong.gov.vn), mục Phản ánh kiến nghị.",
        "en": "This survey is not a complaint. To complain or make a suggestion about your "
        "case, please ask at the one-stop counter or use the National Public Service "
        "Portal (dichvucong.gov.vn), section Feedback and petitions.",
    },
    "already_sent_body": {
        "vi": "Phiếu này đã được gửi và ghi nhận. Xin cảm ơn Ông/Bà.",
        "en": "This response has been sent and recorded. Thank you.",
    },
    "queued": {
        "vi": "Phiếu đã được lưu trên máy và sẽ được gửi khi có mạng.",
        "en": "Your answers are saved on this device and will be sent when it is online.",
    },
    "restart_in": {
        "vi": "Màn hình sẽ quay về trang đầu sau {n} giây.",
        "en": "This screen returns to the start in {n} seconds.",
    },
    "idle_title": {"vi": "Ông/Bà còn tiếp tục không?", "en": "Are you still there?"},
    "idle_body": {
        "vi": "Phiếu chưa xong sẽ bị xoá sau {n} giây.",
        "en": "The unfinished answers will be cleared in {n} seconds.",
    },
    "idle_continue": {"vi": "Tiếp tục trả lời", "en": "Continue"},
    "sending": {"vi": "Đang gửi…", "en": "Sending…"},
    "send_failed": {
        "vi": "Chưa gửi được phiếu. Vui lòng thử lại.",
        "en": "The answers could not be sent. Please try again.",
    },
    "not_found_title": {"vi": "Không tìm thấy trang", "en": "Page not found"},
    "not_found_body": {
        "vi": "Không tìm thấy quầy này. Vui lòng quét lại mã QR tại quầy.",
        "en": "There is no counter with this code. Please scan the QR code at the counter again.",
    },
    "not_open_title": {"vi": "Khảo sát chưa mở", "en": "The survey is not open"},
    "not_open_body": {
        "vi": "Hiện không có đợt khảo sát nào tại quầy này. Xin cảm ơn Ông/Bà.",
        "en": "No survey is running at this counter now. Thank you.",
    },
    "ended_title": {"vi": "Đợt khảo sát đã kết thúc", "en": "The survey has ended"},
    "ended_body": {
        "vi": "Đợt khảo sát tại quầy này đã kết thúc. Xin cảm ơn Ông/Bà đã quan tâm.",
        "en": "The survey at this counter has ended. Thank you for your interest.",
    },
    "not_yet_title": {"vi": "Khảo sát chưa bắt đầu", "en": "The survey has not started yet"},
    "not_yet_body": {
        "vi": "Đợt khảo sát tại quầy này chưa mở; dự kiến bắt đầu từ ngày {date}.",
        "en": "The survey at this counter has not opened yet; it is planned to start on {date}.",
    },
    "landing_title": {
        "vi": "Khảo sát sự hài lòng về sự phục vụ hành chính (SIPAS)",
        "en": "Satisfaction survey of administrative services (SIPAS)",
    },
    "landing_citizen": {
        "vi": "Người dân, tổ chức: vui lòng quét mã QR tại quầy Một cửa để trả lời phiếu khảo sát.",
        "en": "Citizens and organisations: scan the QR code at the one-stop counter "
        "to answer the survey.",
    },
    "landing_staff": {
        "vi": "Cán bộ điều phối khảo sát: đăng nhập để quản lý đợt khảo sát.",
        "en": "Survey coordinators: sign in to manage campaigns.",
    },
    "sign_in": {"vi": "Đăng nhập", "en": "Sign in"},
    "kiosk_setup_title": {
        "vi": "Máy tính bảng này chưa được đăng ký",
        "en": "This tablet is not enrolled yet",
    },
    "kiosk_setup_body": {
        "vi": "Dành cho cán bộ lắp đặt: mở trên máy này đường dẫn đăng ký một lần do cán bộ "
        "điều phối tạo (trang quản trị, hoặc lệnh “sipas kiosk enrol”). Sau đó máy sẽ tự "
        "mở phiếu khảo sát của quầy.",
        "en": "For the person setting it up: open on this tablet the one-time enrolment "
        "link a coordinator creates (on the dashboard, or with the command “sipas kiosk enrol”). "
        "The tablet then opens its counter's survey by itself.",
    },
    "conflict_title": {"vi": "Phiếu này đã được gửi", "en": "This response was already sent"},
    "conflict_body": {
        "vi": "Phiếu này đã được gửi trước đó và không thể sửa.",
        "en": "This response was sent earlier and cannot be changed.",
    },
    "new_response": {"vi": "Trả lời phiếu mới", "en": "Start a new response"},
    # The interviewer's pages (household surveys, the 2023 method).
    "new_interview": {"vi": "Phỏng vấn hộ tiếp theo", "en": "Next household"},
    "my_villages": {"vi": "Các thôn của tôi", "en": "My villages"},
    "interview_mode": {
        "vi": "Chế độ điều tra viên: phiếu được ghi là phỏng vấn, kèm tên Ông/Bà.",
        "en": "Interviewer mode: the form is recorded as an interview, with your name.",
    },
    "interview_title": {"vi": "Phỏng vấn hộ gia đình", "en": "Household interviews"},
    "interview_day": {
        "vi": "Đăng nhập có hiệu lực {hours} giờ. Không có mạng vẫn điền phiếu được; "
        "phiếu sẽ tự gửi khi có mạng trở lại.",
        "en": "Your sign-in lasts {hours} hours. Forms can be filled without network; "
        "they are sent when it returns.",
    },
    "interview_none": {
        "vi": "Hôm nay không có thôn nào trong địa bàn của Ông/Bà đang khảo sát.",
        "en": "No village in your area is being surveyed today.",
    },
    "interview_counts": {
        "vi": "Của tôi: {mine} · Cả thôn: {n}",
        "en": "Mine: {mine} · Whole village: {n}",
    },
    "interview_start": {"vi": "Phỏng vấn một hộ", "en": "Interview a household"},
    "interview_leave": {"vi": "Phiếu gửi đến nhà (mã QR)", "en": "Leave a form (QR code)"},
    "sign_out": {"vi": "Đăng xuất", "en": "Sign out"},
    "card_title": {"vi": "Phiếu gửi đến nhà", "en": "A form for your household"},
    "card_body": {
        "vi": "Hộ gia đình quét mã QR hoặc mở đường dẫn dưới đây để tự trả lời phiếu. "
        "Phiếu ẩn danh.",
        "en": "Scan the QR code or open the link below to answer the survey yourselves. "
        "It is anonymous.",
    },
    "card_qr": {"vi": "Mã QR của phiếu tự trả lời", "en": "QR code of the self-completion form"},
    "card_print": {
        "vi": "In trang này từ trình duyệt để để lại cho hộ gia đình.",
        "en": "Print this page from the browser to leave it with the household.",
    },
    "village_card_title": {"vi": "Không mở được thôn này", "en": "This village cannot be opened"},
    "village_card_body": {
        "vi": "Thôn {code} không thuộc địa bàn của Ông/Bà hoặc hôm nay không có khảo sát.",
        "en": "Village {code} is not in your area, or has no survey today.",
    },
    "error_title": {"vi": "Có lỗi xảy ra", "en": "Something went wrong"},
    "error_body": {
        "vi": "Vui lòng thử lại sau ít phút.",
        "en": "Please try again in a few minutes.",
    },
    "busy_title": {"vi": "Hệ thống đang bận", "en": "The service is busy"},
    "busy_body": {
        "vi": "Phiếu của Ông/Bà chưa được gửi. Vui lòng chờ một lát rồi bấm Gửi lại.",
        "en": "Your response has not been sent yet. Please wait a moment and press Send again.",
    },
    "too_large_body": {
        "vi": "Phiếu quá dài. Vui lòng rút ngắn phần góp ý.",
        "en": "The response is too long. Please shorten your comment.",
    },
    "damaged_body": {
        "vi": "Phiếu bị lỗi. Vui lòng bắt đầu lại.",
        "en": "The form was damaged. Please start again.",
    },
    # Why the submission endpoints refuse a response (design.md: errors in the
    # respondent's language; a kiosk shows what it is told).
    "admit_token_required": {
        "vi": "Phiếu này được gửi muộn nhưng không kèm mã phiếu do máy chủ cấp; "
        "chỉ phiếu có mã, máy kiosk đã đăng ký hoặc khóa API được phép ghi mới được nhận.",
        "en": "This response was sent late without the form token the server issued; "
        "only responses with a token, from an enrolled kiosk or with a write API key "
        "are accepted late.",
    },
    "admit_token_invalid": {
        "vi": "Mã phiếu không hợp lệ: bị sửa, đã quá {hours} giờ, hoặc thuộc quầy khác.",
        "en": "The form token is not valid: altered, older than {hours} hours, "
        "or issued for another counter.",
    },
    "admit_token_used": {
        "vi": "Mã phiếu này đã được dùng cho một phiếu khác; mỗi mã chỉ dùng một lần.",
        "en": "This form token was already used by another response; each token admits one.",
    },
    "admit_interviewer_required": {
        "vi": "Phiếu phỏng vấn tại thôn phải do điều tra viên đã đăng nhập gửi; "
        "hãy đăng nhập lại, phiếu vẫn được giữ trên máy",
        "en": "An interview form for a village must be sent by a signed-in interviewer; "
        "sign in again, the form stays on this device",
    },
    "admit_interviewer_outside": {
        "vi": "Thôn {unit} nằm ngoài địa bàn của điều tra viên",
        "en": "Village {unit} is outside the interviewer's area",
    },
    "admit_out_of_scope": {
        "vi": "Khóa API này không được gửi phiếu cho quầy ngoài đơn vị của nó.",
        "en": "This API key may not submit for a counter outside its unit.",
    },
    "admit_key_rate": {
        "vi": "Khóa API này đã gửi quá {limit} phiếu trong một phút; vui lòng chờ rồi gửi lại.",
        "en": "This API key sent more than {limit} responses in a minute; wait and send again.",
    },
    "admit_key_unknown": {
        "vi": "Khóa API không tồn tại hoặc đã bị thu hồi.",
        "en": "The API key is unknown or revoked.",
    },
    "admit_key_read_only": {
        "vi": "Khóa API này chỉ được đọc; cần khóa có quyền ghi (scope write) để gửi phiếu.",
        "en": "This API key is read-only; submitting needs a write-scoped key.",
    },
    "sheet_line": {
        "vi": "Quét mã để góp ý về sự phục vụ của cơ quan (ẩn danh, khoảng 3 phút)",
        "en": "Scan to rate this agency's service (anonymous, about 3 minutes)",
    },
}

UI.update(kiosk_text.UI)


def pick(lang: str | None) -> str:
    """A supported language code, Vietnamese when in doubt."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str, **values: object) -> str:
    text = UI[key][lang]
    return text.format(**values) if values else text


def condition(q: Questionnaire, question: Question, lang: str) -> str:
    """The show-if condition as a sentence, from the questionnaire's own words:
    {timeliness: [late]} reads "Chỉ trả lời câu này nếu ở câu “So với ngày hẹn…”
    Ông/Bà đã chọn “Muộn hơn ngày hẹn”." """
    parts = []
    for ref, codes in (question.show_if or {}).items():
        asked = q.questions[ref]
        options = {o.code: o.label[lang] for o in asked.options}
        choices = f" {t('or', lang)} ".join(f"“{options.get(c, c)}”" for c in codes)
        where = asked.text[lang].rstrip(" ?:")
        parts.append(t("only_if_part", lang, question=where, choices=choices))
    return t("only_if", lang, conds=f" {t('and', lang)} ".join(parts)) if parts else ""


def field_message(q: Questionnaire, problem: FieldError, lang: str) -> str:
    """A checker problem as the respondent should read it."""
    code = problem.loc.removeprefix("answers.")
    question = q.questions.get(code)
    if problem.code == "required":
        return t("err_required", lang)
    if problem.code == "bad_text":
        return t("err_bad_text", lang)
    if question is not None and problem.code == "too_many":
        return t("err_too_many", lang, n=question.max_choices)
    if question is not None and problem.code == "too_long":
        return t("err_too_long", lang, n=question.max_length)
    # A value the page never offered is the page's (or a tampered form's) doing: ask to
    # choose again, without listing codes. Anything else the checker found (too few
    # options chosen) is said in its own words, in the page's language.
    if problem.code != "value" and problem.key in messages.MESSAGES:
        return messages.text(problem.key, lang, **problem.params)
    return t("err_value", lang)


def client_messages(lang: str) -> dict[str, str]:
    """The strings the page script needs, so it never hard-codes a language."""
    keys = (
        "err_required",
        "missing",
        "err_value",
        "err_too_many",
        "err_too_long",
        "errors_title",
        "part",
        "queued",
        "restart_in",
        "idle_body",
        "sending",
        "send_failed",
        "not_open_body",
        "held_note",
    )
    return {k: UI[k][lang] for k in keys}
