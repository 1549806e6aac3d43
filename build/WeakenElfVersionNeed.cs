using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Sets VER_FLG_WEAK on one version need (Vernaux entry of .gnu.version_r) of an ELF64 little-endian file,
/// so the dynamic loader warns instead of failing when the system library lacks that version.
/// Idempotent: a file already weak is left untouched.
/// </summary>
public class WeakenElfVersionNeed : Task
{
    [Required] public string ElfFile { get; set; } = "";
    [Required] public string VersionName { get; set; } = "";
    [Output] public bool Changed { get; set; }

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        byte[] b = File.ReadAllBytes(ElfFile);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[4] != 2 || b[5] != 1)
        {
            Log.LogError($"{ElfFile}: not a 64-bit little-endian ELF file.");
            return false;
        }
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)shoff + s * shentsize);
            if (BitConverter.ToUInt32(b, sh + 4) != ShtGnuVerneed) continue;
            int off = checked((int)BitConverter.ToUInt64(b, sh + 0x18));
            int link = (int)BitConverter.ToUInt32(b, sh + 0x28);
            int strOff = checked((int)BitConverter.ToUInt64(b, checked((int)shoff + link * shentsize) + 0x18));
            int vn = off;
            while (true)
            {
                int cnt = BitConverter.ToUInt16(b, vn + 2);
                int aux = vn + (int)BitConverter.ToUInt32(b, vn + 8);
                for (int i = 0; i < cnt; i++)
                {
                    string name = ReadCString(b, strOff + (int)BitConverter.ToUInt32(b, aux + 8));
                    if (name == VersionName)
                    {
                        ushort flags = BitConverter.ToUInt16(b, aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(b, aux + 4);
                            using (var f = new FileStream(ElfFile, FileMode.Open, FileAccess.Write))
                            {
                                f.Seek(aux + 4, SeekOrigin.Begin);
                                f.Write(b, aux + 4, 2);
                            }
                            Changed = true;
                        }
                        return true;
                    }
                    aux += (int)BitConverter.ToUInt32(b, aux + 12);
                }
                uint next = BitConverter.ToUInt32(b, vn + 12);
                if (next == 0) break;
                vn += (int)next;
            }
        }
        Log.LogMessage(MessageImportance.Normal, $"{ElfFile}: no version need {VersionName}; nothing to do.");
        return true;
    }

    static string ReadCString(byte[] b, int at)
    {
        int end = at;
        while (b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, at, end - at);
    }
}
