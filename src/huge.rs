//! Large arrays in memory that Linux can back with 2 MiB pages.
//!
//! Each fresh 4 KiB page a process writes costs a page fault: about 3 µs
//! on the VMs this was measured on, so the 3.4 MB of records, the 1 MB of
//! rows and the 1 MB of sort space of a 50,000-asset account cost some
//! 1,400 faults, about 4 ms. In 2 MiB pages they cost a handful. Small
//! arrays stay on the heap, as do all of them where the mapping fails.

use std::ops::{Deref, DerefMut};

use bytemuck::Pod;
use memmap2::MmapMut;

/// The size of a huge page (x86-64, and ARM64 with 4 KiB pages).
const HUGE_PAGE: usize = 2 << 20;

/// From this size an array gets a mapping of its own: below it, the one
/// huge page it would get costs more to clear than its small pages cost
/// to fault.
const MAP_FROM: usize = 512 << 10;

/// Anonymous memory for at least `len` bytes, advised for huge pages, and
/// where in it the bytes go: at a 2 MiB boundary, as only whole, aligned
/// 2 MiB ranges can be huge pages, with the mapping going on to where the
/// last one ends. (Mapped as it comes, it would start anywhere, and the
/// parts before the first boundary and after the last, up to 4 MiB of
/// 4 KiB pages, would cost a fault each.) The slack around the bytes is
/// never touched, so it costs no memory.
pub fn mapping(len: usize) -> std::io::Result<(MmapMut, usize)> {
    let map = MmapMut::map_anon(len.saturating_add(2 * HUGE_PAGE))?;
    #[cfg(target_os = "linux")]
    let _ = map.advise(memmap2::Advice::HugePage);
    let start = map.as_ptr().align_offset(HUGE_PAGE).min(HUGE_PAGE);
    Ok((map, start))
}

/// A growable array of plain data (see the module's documentation).
pub struct Array<T> {
    inner: Inner<T>,
}

enum Inner<T> {
    Heap(Vec<T>),
    /// `len` items in `map` from `start`, room for `capacity`.
    Mapped {
        map: MmapMut,
        start: usize,
        len: usize,
        capacity: usize,
    },
}

impl<T: Pod> Array<T> {
    /// An empty array with room for `capacity` items.
    pub fn with_capacity(capacity: usize) -> Self {
        Array::mapped(capacity, 0).unwrap_or_else(|| Vec::with_capacity(capacity).into())
    }

    /// `len` items of zero bytes, as fresh memory holds them: none of it
    /// written until used.
    pub fn zeroed(len: usize) -> Self {
        Array::mapped(len, len).unwrap_or_else(|| bytemuck::zeroed_vec(len).into())
    }

    /// Room for `capacity` items in a mapping of its own, the first `len`
    /// of them (zero bytes) counted in; `None` if too small for one, or
    /// if mapping fails.
    fn mapped(capacity: usize, len: usize) -> Option<Self> {
        let bytes = capacity.saturating_mul(size_of::<T>());
        if bytes < MAP_FROM {
            return None;
        }
        let (map, start) = mapping(bytes).ok()?;
        Some(Array {
            inner: Inner::Mapped {
                map,
                start,
                len,
                capacity,
            },
        })
    }

    pub fn push(&mut self, item: T) {
        if let Inner::Mapped { len, capacity, .. } = &self.inner
            && len == capacity
        {
            // Rare: more items than the room guessed for. Twice the room,
            // and the items so far copied over.
            let mut more = Array::with_capacity(capacity.saturating_mul(2));
            for item in self.iter() {
                more.push(*item);
            }
            *self = more;
        }
        match &mut self.inner {
            Inner::Heap(items) => items.push(item),
            Inner::Mapped {
                map, start, len, ..
            } => {
                let size = size_of::<T>();
                let at = *start + *len * size;
                map[at..at + size].copy_from_slice(bytemuck::bytes_of(&item));
                *len += 1;
            }
        }
    }
}

impl<T> From<Vec<T>> for Array<T> {
    fn from(items: Vec<T>) -> Self {
        Array {
            inner: Inner::Heap(items),
        }
    }
}

impl<T: Pod> Deref for Array<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match &self.inner {
            Inner::Heap(items) => items,
            Inner::Mapped {
                map, start, len, ..
            } => bytemuck::cast_slice(&map[*start..*start + *len * size_of::<T>()]),
        }
    }
}

impl<T: Pod> DerefMut for Array<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.inner {
            Inner::Heap(items) => items,
            Inner::Mapped {
                map, start, len, ..
            } => bytemuck::cast_slice_mut(&mut map[*start..*start + *len * size_of::<T>()]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_is_pushed_past_its_room_mapped_or_not() {
        for capacity in [0, 3, MAP_FROM / 8, MAP_FROM / 8 + 1] {
            let mut array: Array<[u32; 2]> = Array::with_capacity(capacity);
            // Past its room several times over (and past the slack of a
            // mapping, were it written on).
            let count = 10 * capacity + 5;
            for i in 0..count as u32 {
                array.push([i, !i]);
            }
            assert_eq!(array.len(), count);
            assert!(
                array
                    .iter()
                    .enumerate()
                    .all(|(i, &[a, b])| a == i as u32 && b == !a)
            );
            array[1] = [7, 7];
            assert_eq!(array[1], [7, 7]);
        }
    }

    #[test]
    fn zeroed_arrays_hold_zeros() {
        for len in [0, 10, MAP_FROM / 4 + 3] {
            let mut array: Array<u32> = Array::zeroed(len);
            assert_eq!(array.len(), len);
            assert!(array.iter().all(|&x| x == 0));
            if let Some(last) = array.last_mut() {
                *last = 9;
            }
            assert_eq!(array.iter().sum::<u32>(), if len > 0 { 9 } else { 0 });
        }
    }

    #[test]
    fn a_mapping_starts_at_a_huge_page_and_has_room_to_its_end() {
        let len = 3 * HUGE_PAGE + 5;
        let (map, start) = mapping(len).expect("map");
        assert_eq!((map.as_ptr() as usize + start) % HUGE_PAGE, 0);
        assert!(start + len.next_multiple_of(HUGE_PAGE) <= map.len());
    }
}
