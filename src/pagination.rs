//! Cursor pagination, as docs/api.md specifies: `?limit=` (1..100, default 20) and `?cursor=`,
//! answered as `{data, has_more, next_cursor}`.
//!
//! Lists are newest first, ordered by the time-ordered id, and the cursor is the id of the last
//! item returned; the next page is everything older. Rows inserted meanwhile are newer than the
//! cursor, so they never shift or repeat what a client is paging through.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ErrorCode};

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    #[param(pattern = r"^([a-z]+_[0-6][0-9A-Za-z]{21})?$")]
    pub cursor: Option<String>,
}

/// A validated page request.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: i64,
    /// Return only rows with an id below this one.
    pub before: Option<Uuid>,
}

impl Page {
    pub fn from_params(limit: Option<i64>, cursor: Option<&str>) -> Result<Page, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(
                ApiError::bad_request(ErrorCode::ParameterInvalid, "limit must be from 1 to 100").with_param("limit")
            );
        }
        let before = match cursor {
            None | Some("") => None,
            Some(c) => {
                Some(c.split_once('_').and_then(|(_, body)| crate::ids::decode_base62(body)).ok_or_else(|| {
                    ApiError::bad_request(ErrorCode::ParameterInvalid, "cursor is not a cursor this API returned")
                        .with_param("cursor")
                })?)
            }
        };
        Ok(Page { limit, before })
    }

    /// How many rows to fetch: one more than the page, to learn whether there is more.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }
}

impl TryFrom<PageParams> for Page {
    type Error = ApiError;

    fn try_from(p: PageParams) -> Result<Self, Self::Error> {
        Page::from_params(p.limit, p.cursor.as_deref())
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// Builds a page from up to `page.fetch()` rows, newest first; `cursor` gives an item's id.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        page: Page,
        cursor: impl Fn(&R) -> String,
        map: impl FnMut(R) -> T,
    ) -> List<T> {
        let has_more = rows.len() as i64 > page.limit;
        rows.truncate(page.limit as usize);
        let next_cursor = if has_more { rows.last().map(&cursor) } else { None };
        List { data: rows.into_iter().map(map).collect(), has_more, next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_1_to_100_are_refused() {
        for bad in [0, -1, 101] {
            let e = Page::from_params(Some(bad), None).unwrap_err();
            assert_eq!(e.envelope().error.param.as_deref(), Some("limit"));
        }
        assert_eq!(Page::from_params(None, None).unwrap().limit, 20);
        assert!(Page::from_params(Some(1), Some("nonsense")).is_err());
    }

    #[test]
    fn a_full_extra_row_means_more() {
        let page = Page::from_params(Some(2), None).unwrap();
        let list = List::from_rows(vec![3, 2, 1], page, |n| format!("x_{n}"), |n| n);
        assert_eq!(list.data, vec![3, 2]);
        assert!(list.has_more);
        assert_eq!(list.next_cursor.as_deref(), Some("x_2"));
        let last = List::from_rows(vec![1], page, |n| format!("x_{n}"), |n| n);
        assert!(!last.has_more);
        assert_eq!(last.next_cursor, None);
    }
}
