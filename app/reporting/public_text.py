"""Words of the public results pages (no sign-in), Vietnamese and English."""

PUBLIC: dict[str, dict[str, str]] = {
    "title": {
        "vi": "Kết quả đo lường sự hài lòng (SIPAS)",
        "en": "Satisfaction index results (SIPAS)",
    },
    "edition": {
        "vi": "Bản công bố số {number}, ngày {day}",
        "en": "Edition {number}, published {day}",
    },
    "interim": {
        "vi": "KẾT QUẢ SƠ BỘ: đợt khảo sát chưa kết thúc, số liệu còn thay đổi",
        "en": "PRELIMINARY RESULTS (interim): the survey is still open, figures may change",
    },
    "note": {"vi": "Điều chỉnh so với bản trước", "en": "Changed since the previous edition"},
    "moved": {
        "vi": "Đơn vị thay đổi chỉ số hoặc thứ hạng",
        "en": "Units whose index or rank moved",
    },
    "period": {"vi": "Thời gian khảo sát", "en": "Survey period"},
    "responses": {"vi": "Số phiếu hợp lệ", "en": "Valid responses"},
    "excluded": {"vi": "Số phiếu bị loại", "en": "Excluded responses"},
    "rank": {"vi": "Hạng", "en": "Rank"},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "n": {"vi": "Số phiếu", "en": "n"},
    "interval": {"vi": "Khoảng tin cậy 95%", "en": "95% interval"},
    "median": {"vi": "Trung vị", "en": "Median"},
    "not_ranked": {"vi": "không xếp hạng", "en": "not ranked"},
    "downloads": {"vi": "Tải về", "en": "Downloads"},
    "dl_xlsx": {"vi": "Bảng tính Excel", "en": "Excel workbook"},
    "dl_csv": {"vi": "Bảng xếp hạng (CSV)", "en": "Ranking table (CSV)"},
    "dl_long": {"vi": "Số liệu đầy đủ (CSV)", "en": "All figures (CSV)"},
    "dl_pdf": {"vi": "Báo cáo (PDF)", "en": "Report (PDF)"},
    "dl_json": {"vi": "Dữ liệu (JSON)", "en": "Data (JSON)"},
    "editions": {"vi": "Các bản công bố", "en": "Editions"},
    "latest": {"vi": "mới nhất", "en": "latest"},
    "factors": {"vi": "Chỉ số thành phần", "en": "Factors"},
    "criteria": {"vi": "Tiêu chí", "en": "Criteria"},
    "value": {"vi": "Giá trị (%)", "en": "Value (%)"},
    "back": {"vi": "Bảng xếp hạng", "en": "League tables"},
    "rank_of": {
        "vi": "Hạng {rank}/{of} trong nhóm {league}",
        "en": "Ranked {rank} of {of} in the {league} league",
    },
    "rank_interval": {
        "vi": "khoảng xếp hạng 95%: {best}–{worst}",
        "en": "95% rank interval: {best}–{worst}",
    },
    "vs_above": {"vi": "Cao hơn trung vị", "en": "Above the median"},
    "vs_indistinguishable": {
        "vi": "Không phân biệt được với trung vị",
        "en": "Not distinguishable from the median",
    },
    "vs_below": {"vi": "Thấp hơn trung vị", "en": "Below the median"},
    "rank_legend": {
        "vi": "Trong ngoặc: khoảng xếp hạng 95% — với số phiếu đã thu, hạng thật của đơn vị "
        "nằm trong khoảng này. Cao hơn / thấp hơn trung vị: khoảng tin cậy 95% của SIPAS nằm "
        "hẳn trên / dưới trung vị; không phân biệt được: khoảng đó chứa trung vị.",
        "en": "In brackets: the 95% rank interval — given the responses collected, the "
        "unit's true place lies in this range. Above / below the median: the SIPAS 95% "
        "interval lies wholly above / below the median; not distinguishable: it contains "
        "the median.",
    },
    "no_rank": {
        "vi": "Không xếp hạng: {why}",
        "en": "Not ranked: {why}",
    },
    "percent": {
        "vi": "Các chỉ số là tỷ lệ phần trăm (0–100); thanh đậm là giá trị, vạch là trung vị.",
        "en": "Figures are percentages (0–100); the bar is the value, the tick the median.",
    },
    "other_lang": {"vi": "English", "en": "Tiếng Việt"},
}


def p(key: str, lang: str, **params: object) -> str:
    """A public page string in `lang` (Vietnamese when it has none)."""
    entry = PUBLIC[key]
    text = entry.get(lang) or entry["vi"]
    return text.format(**params) if params else text
